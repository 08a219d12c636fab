/**
 * `selfRegistration`: {@link serviceRegistration} wired to the process's SIGTERM and SIGINT, for Node
 * (and Bun, whose `process` has the same signals). On Deno, pass `serviceRegistration` a `signal`
 * aborted from `Deno.addSignalListener` instead.
 * @module
 */
import { asyncDispose } from '../core/async.ts';
import type { Client } from '../core/client.ts';
import type { ServiceDefinition } from '../endpoints/agent.ts';
import type { ServiceRegistration, ServiceRegistrationOptions } from '../recipes/registration.ts';
import { serviceRegistration } from '../recipes/registration.ts';

/** Options of {@link selfRegistration}: {@link ServiceRegistrationOptions} plus the signals to stop on. */
export interface SelfRegistrationOptions extends ServiceRegistrationOptions {
  /**
   * The signals that deregister the service.
   * @default ["SIGTERM", "SIGINT"]
   */
  signals?: readonly NodeJS.Signals[] | undefined;
}

/**
 * Registers this process's service with its TTL check and keeps it passing (see
 * {@link serviceRegistration}), and deregisters it when the process gets SIGTERM or SIGINT. The
 * process then ends as it would have without consulate: when the app listens to that signal itself
 * (`process.on` or `process.once`; consulate's listener is prepended, so it sees the app's), the app
 * decides (the process exits once its work — the deregistration included — is done, so
 * do not call `process.exit()` before `await registration.stop()`); when nothing else listens, the
 * signal is raised again after the deregistration, which ends the process the default way.
 * A failed deregistration goes to `onError`, or to `console.error` without one.
 * @param client - the client of the agent to register with.
 * @param definition - the service in Consul's JSON, with a TTL check (`Check: { TTL: '10s' }`).
 * @param options - heartbeat, note, callbacks, signals.
 * @returns the running {@link ServiceRegistration}; stopping it also removes the signal listeners.
 * @throws {InputError} at once for a definition without a TTL check or a bad TTL or heartbeat.
 * @see https://developer.hashicorp.com/consul/api-docs/agent/service#register-service
 * @example
 * ```ts
 * import { fromEnv, selfRegistration } from 'consulate/node';
 * const client = fromEnv();
 * const registration = selfRegistration(client, { Name: 'web', ID: `web-${process.pid}`, Port: 8080, Check: { TTL: '10s' } });
 * await registration.ready();
 * process.on('SIGTERM', () => server.close()); // the process exits once the server and the deregistration are done
 * ```
 */
export function selfRegistration(client: Client, definition: ServiceDefinition, options: SelfRegistrationOptions = {}): ServiceRegistration {
  const { signals = ['SIGTERM', 'SIGINT'], ...rest } = options;
  const report =
    rest.onError ??
    ((error: unknown): void => {
      console.error(`consulate: ${definition.ID ?? definition.Name}:`, error);
    });
  const registration = serviceRegistration(client, definition, { ...rest, onError: report });
  const unlisten = (): void => {
    for (const name of signals) process.off(name, onSignal);
  };
  const onSignal = (name: NodeJS.Signals): void => {
    // we run first (prepended), so the app's own listeners — `once` ones too — are still counted here
    const handledByApp = process.listenerCount(name) > 1;
    unlisten();
    registration
      .stop()
      .catch(() => undefined) // reported to onError
      .finally(() => {
        // nobody else handles this signal: let it do what it would have done without us
        if (!handledByApp) process.kill(process.pid, name);
      });
  };
  for (const name of signals) process.prependListener(name, onSignal);
  const stop = async (): Promise<void> => {
    unlisten();
    await registration.stop();
  };
  return Object.defineProperties(
    {
      serviceId: registration.serviceId,
      checkId: registration.checkId,
      ready: registration.ready,
      unhealthy: registration.unhealthy,
      healthy: registration.healthy,
      stop,
      [asyncDispose]: stop,
    },
    {
      registrations: { get: () => registration.registrations, enumerable: true },
      lastError: { get: () => registration.lastError, enumerable: true },
    },
  ) as ServiceRegistration;
}
