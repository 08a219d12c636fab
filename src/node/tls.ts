/// <reference types="node" />
/**
 * TLS settings of consulate/node's connections: the options ({@link NodeTlsOptions}) and their
 * loading — CA files and directories, the client certificate and key, read and checked once when the
 * client is created, so that a bad file is a `ConfigError` then, not a network error later.
 * @module
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SecureContext } from 'node:tls';
import { ConfigError } from '../core/errors.ts';

/**
 * TLS settings for HTTPS agents: the CA to trust, a client certificate for `verify_incoming`, the
 * server name to verify. Certificates and keys are PEM, given inline or as file paths (read once,
 * when the client is created). Verification is on unless `rejectUnauthorized` is `false`.
 * @example
 * ```ts
 * const tls: NodeTlsOptions = {
 *   caFile: '/etc/consul.d/consul-agent-ca.pem',
 *   certFile: '/etc/consul.d/dc1-client-consul-0.pem',
 *   keyFile: '/etc/consul.d/dc1-client-consul-0-key.pem',
 * };
 * ```
 */
export interface NodeTlsOptions {
  /**
   * CA certificate(s) to trust, PEM text or bytes. Replaces the system roots, like Consul's `-ca-file`.
   * All of `ca`, `caFile` and `caPath` that are given are trusted together.
   */
  ca?: string | Uint8Array | readonly (string | Uint8Array)[] | undefined;
  /** Path of a PEM file with the CA certificate(s) to trust (`CONSUL_CACERT`). */
  caFile?: string | undefined;
  /** A directory of PEM files, each with CA certificate(s) to trust (`CONSUL_CAPATH`); searched recursively. */
  caPath?: string | undefined;
  /** Client certificate (PEM text or bytes) for agents with `verify_incoming`; needs `key`/`keyFile`. */
  cert?: string | Uint8Array | undefined;
  /** Path of the client certificate PEM file (`CONSUL_CLIENT_CERT`). */
  certFile?: string | undefined;
  /** Private key of the client certificate (PEM text or bytes). Never logged or put in an error. */
  key?: string | Uint8Array | undefined;
  /** Path of the client key PEM file (`CONSUL_CLIENT_KEY`). */
  keyFile?: string | undefined;
  /** Server name for SNI and certificate verification (`CONSUL_TLS_SERVER_NAME`), e.g. `server.dc1.consul`. */
  servername?: string | undefined;
  /**
   * Verify the server's certificate chain and name. Set `false` only for testing
   * (`CONSUL_HTTP_SSL_VERIFY=false`).
   * @default true
   */
  rejectUnauthorized?: boolean | undefined;
}

/** Names used in configuration errors (`tls.caFile`, or `CONSUL_CACERT` when `fromEnv` read it). @internal */
export type OptionLabels = Partial<Record<keyof NodeTlsOptions | 'socketPath', string>>;

/** A {@link ConfigError} for an invalid transport option. @internal */
export function configError(message: string): ConfigError {
  return new ConfigError(`invalid consulate config: ${message}`);
}

function readText(path: string, label: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? (error as Error).message;
    throw configError(`${label}: cannot read ${JSON.stringify(path)} (${code})`);
  }
}

const PEM_CERT = '-----BEGIN CERTIFICATE-----';

function pemText(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : new TextDecoder().decode(value);
}

/** Reads every regular file under `dir` (recursively), each of which must hold a PEM certificate — as Consul's CAPath does. */
function readCaPath(dir: string, label: string): string[] {
  const out: string[] = [];
  const walk = (path: string): void => {
    let names: string[];
    try {
      names = readdirSync(path).sort();
    } catch (error) {
      throw configError(`${label}: cannot read directory ${JSON.stringify(path)} (${(error as { code?: string }).code ?? String(error)})`);
    }
    for (const name of names) {
      const file = join(path, name);
      let isDir: boolean;
      try {
        isDir = statSync(file).isDirectory();
      } catch (error) {
        throw configError(`${label}: cannot read ${JSON.stringify(file)} (${(error as { code?: string }).code ?? String(error)})`);
      }
      if (isDir) {
        walk(file);
        continue;
      }
      const text = readText(file, label);
      if (!text.includes(PEM_CERT)) throw configError(`${label}: ${JSON.stringify(file)} holds no PEM certificate`);
      out.push(text);
    }
  };
  walk(dir);
  if (out.length === 0) throw configError(`${label}: no CA certificate found in ${JSON.stringify(dir)}`);
  return out;
}

/** TLS settings checked and loaded: a secure context with the CA and client certificate, and how to verify. @internal */
export interface ResolvedTls {
  secureContext?: SecureContext;
  rejectUnauthorized: boolean;
  servername?: string;
  hasClientCert: boolean;
}

/**
 * Loads certificates and keys once and checks them, so that a bad file is a ConfigError now, not a
 * network error later.
 * @throws {ConfigError} for an unreadable file, text that is not PEM, a certificate without its key…
 * @internal
 */
export function resolveTls(tls: NodeTlsOptions, labels: OptionLabels): ResolvedTls {
  const label = (key: keyof NodeTlsOptions): string => labels[key] ?? `tls.${key}`;
  const ca: string[] = [];
  if (tls.ca !== undefined) {
    const list = Array.isArray(tls.ca) ? (tls.ca as readonly (string | Uint8Array)[]) : [tls.ca as string | Uint8Array];
    for (const item of list) {
      const text = pemText(item);
      if (!text.includes(PEM_CERT)) throw configError(`${label('ca')}: expected PEM text ("${PEM_CERT}…")`);
      ca.push(text);
    }
  }
  if (tls.caFile !== undefined) {
    const text = readText(tls.caFile, label('caFile'));
    if (!text.includes(PEM_CERT)) throw configError(`${label('caFile')}: ${JSON.stringify(tls.caFile)} holds no PEM certificate`);
    ca.push(text);
  }
  if (tls.caPath !== undefined) ca.push(...readCaPath(tls.caPath, label('caPath')));

  if (tls.cert !== undefined && tls.certFile !== undefined) throw configError(`give ${label('cert')} or ${label('certFile')}, not both`);
  if (tls.key !== undefined && tls.keyFile !== undefined) throw configError(`give ${label('key')} or ${label('keyFile')}, not both`);
  const cert = tls.certFile !== undefined ? readText(tls.certFile, label('certFile')) : tls.cert === undefined ? undefined : pemText(tls.cert);
  const key = tls.keyFile !== undefined ? readText(tls.keyFile, label('keyFile')) : tls.key === undefined ? undefined : pemText(tls.key);
  const certLabel = tls.certFile !== undefined ? label('certFile') : tls.cert !== undefined ? label('cert') : (labels.certFile ?? 'tls.cert/certFile');
  const keyLabel = tls.keyFile !== undefined ? label('keyFile') : tls.key !== undefined ? label('key') : (labels.keyFile ?? 'tls.key/keyFile');
  if ((cert === undefined) !== (key === undefined)) {
    if (cert === undefined) throw configError(`${keyLabel} is set but ${certLabel} is not: a client key needs its certificate`);
    throw configError(`${certLabel} is set but ${keyLabel} is not: a client certificate needs its key`);
  }
  if (tls.servername !== undefined && (typeof tls.servername !== 'string' || tls.servername === '')) {
    throw configError(`${label('servername')}: expected a non-empty host name`);
  }
  if (tls.rejectUnauthorized !== undefined && typeof tls.rejectUnauthorized !== 'boolean') {
    throw configError(`${label('rejectUnauthorized')}: expected a boolean`);
  }
  const resolved: ResolvedTls = {
    rejectUnauthorized: tls.rejectUnauthorized !== false,
    hasClientCert: cert !== undefined,
  };
  if (tls.servername !== undefined) resolved.servername = tls.servername;
  if (ca.length > 0 || cert !== undefined) {
    try {
      // node:tls is loaded only here, when there is a CA or client certificate to load
      resolved.secureContext = process.getBuiltinModule('node:tls').createSecureContext({
        ...(ca.length > 0 ? { ca } : {}),
        ...(cert !== undefined ? { cert, key } : {}),
      });
    } catch (error) {
      // OpenSSL's message names the problem (bad PEM, key mismatch), never the key material
      const which = cert === undefined
        ? (tls.caFile !== undefined ? label('caFile') : tls.caPath !== undefined ? label('caPath') : label('ca'))
        : `${certLabel}/${keyLabel}`;
      throw configError(`${which}: unusable certificate or key (${(error as Error).message})`);
    }
  }
  return resolved;
}
