// Config entry kinds of Consul 1.21's reference are typed by Kind; other kinds read as ConfigEntryBase.
import { describe, expectTypeOf, it } from 'vitest';
import * as config from '../../src/endpoints/config.ts';
import type {
  APIGatewayEntry,
  ConfigEntryBase,
  ConfigEntryOf,
  ExportedServicesEntry,
  FileSystemCertificateEntry,
  HTTPRouteEntry,
  JWTProviderEntry,
  ServiceIntentionsEntry,
} from '../../src/endpoints/config.ts';
import type { Client } from '../../src/index.ts';

declare const client: Client;

describe('config entry kinds', () => {
  it('reads newer kinds typed by Kind', async () => {
    expectTypeOf((await config.read(client, 'api-gateway', 'gw')).data).toEqualTypeOf<APIGatewayEntry | undefined>();
    expectTypeOf((await config.read(client, 'http-route', 'r')).data).toEqualTypeOf<HTTPRouteEntry | undefined>();
    expectTypeOf((await config.list(client, 'service-intentions')).data).toEqualTypeOf<ServiceIntentionsEntry[]>();
    expectTypeOf<ConfigEntryOf<'exported-services'>>().toEqualTypeOf<ExportedServicesEntry>();
    expectTypeOf<ConfigEntryOf<'file-system-certificate'>>().toEqualTypeOf<FileSystemCertificateEntry>();
    expectTypeOf<ConfigEntryOf<'jwt-provider'>>().toEqualTypeOf<JWTProviderEntry>();
    // a kind consulate does not type
    expectTypeOf<ConfigEntryOf<'routes'>>().toEqualTypeOf<ConfigEntryBase>();
  });

  it('keeps fields it does not name, and checks the ones it does', () => {
    const entry: APIGatewayEntry = { Kind: 'api-gateway', Name: 'gw', Listeners: [{ Name: 'l', Port: 8443, Protocol: 'http' }], SomeNewerField: 1 };
    expectTypeOf(config.set).toBeCallableWith(client, entry);
    // @ts-expect-error an inline-certificate needs its PrivateKey
    const bad: ConfigEntryOf<'inline-certificate'> = { Kind: 'inline-certificate', Name: 'c', Certificate: 'pem' };
    void bad;
  });
});
