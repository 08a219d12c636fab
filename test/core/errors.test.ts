import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import {
  ConsulError,
  ForbiddenError,
  isConsulError,
  isForbiddenError,
  isHttpError,
  isNotFoundError,
  isTransactionError,
  isConflictError,
  NotFoundError,
  TransactionError,
} from '../../src/index.ts';

describe('error classes and guards', () => {
  it('guards match their own class and their family only', () => {
    const nf = new NotFoundError('x', { status: 404 });
    expect(isNotFoundError(nf)).toBe(true);
    expect(isHttpError(nf)).toBe(true);
    expect(isConsulError(nf)).toBe(true);
    expect(isForbiddenError(nf)).toBe(false);
    const tx = new TransactionError('t', [{ OpIndex: 1, What: 'no' }], { status: 409 });
    expect(isTransactionError(tx) && isConflictError(tx) && isHttpError(tx)).toBe(true);
    expect(isConsulError(new Error('plain'))).toBe(false);
    expect(isConsulError(null)).toBe(false);
    expect(nf).toBeInstanceOf(ConsulError);
    expect(nf.name).toBe('NotFoundError');
  });

  it('redacts token query parameters from paths', () => {
    const e = new ForbiddenError('denied', { path: '/v1/kv/a?token=s3cret&dc=x' });
    expect(e.path).toBe('/v1/kv/a?token=[redacted]&dc=x');
  });

  it('guards work across realms (an error created in another vm context)', async () => {
    const bundle = await build({
      entryPoints: [new URL('../../src/core/errors.ts', import.meta.url).pathname],
      bundle: true,
      format: 'iife',
      globalName: 'errors',
      write: false,
    });
    const foreign = runInNewContext(`${bundle.outputFiles[0]!.text}; new errors.ForbiddenError('denied', { status: 403 })`);
    expect(foreign instanceof ForbiddenError).toBe(false); // a different realm's class
    expect(isForbiddenError(foreign)).toBe(true);
    expect(isHttpError(foreign)).toBe(true);
    expect(isNotFoundError(foreign)).toBe(false);
  });
});
