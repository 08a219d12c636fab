/**
 * Keeping secrets out of errors: `redact` removes credentials from paths and URLs, `withoutSecret`
 * copies an error (same class, kind and fields, across realms too) with a secret taken out of its
 * text. Internal: not a subpath export.
 * @module
 */

/** Removes credentials from a path or URL: `token=` query values and `user:pass@`. */
export function redact(path: string): string {
  return path
    .replace(/([?&](?:token|acl_token|X-Consul-Token)=)[^&#]*/gi, '$1[redacted]')
    .replace(/\/\/[^/@\s]*@/, '//[redacted]@');
}

/** `text` with every occurrence of `secret` (raw or URL-encoded) replaced by `[redacted]`. */
export function scrub(text: string, secret: string): string {
  if (!secret) return text;
  const encoded = encodeURIComponent(secret);
  return text.split(encoded).join('[redacted]').split(secret).join('[redacted]');
}

/**
 * A copy of `error` without `secret` in its message, stack, `path` or `consulMessage`: the same
 * prototype (class) and own fields (kind, brand, status, issues…), minus its `cause` (a fetch failure
 * may quote the URL). `suffix` is appended to the message. Not an Error: returned as it is.
 */
export function withoutSecret<E>(error: E, secret: string, suffix = ''): E {
  if (!(typeof error === 'object' && error !== null && 'message' in error)) return error;
  const descriptors = Object.getOwnPropertyDescriptors(error) as PropertyDescriptorMap;
  delete descriptors['cause'];
  const source = error as { message?: unknown; stack?: unknown; path?: unknown; consulMessage?: unknown };
  const message = `${scrub(String(source.message), secret)}${suffix}`;
  const text = (value: unknown): PropertyDescriptor => ({ value, writable: true, configurable: true, enumerable: false });
  descriptors['message'] = text(message);
  if (typeof source.stack === 'string') {
    descriptors['stack'] = text(scrub(source.stack.replace(String(source.message), message), secret));
  }
  for (const field of ['path', 'consulMessage'] as const) {
    const value = source[field];
    if (typeof value === 'string') descriptors[field] = { ...descriptors[field], value: scrub(value, secret) };
  }
  return Object.create(Object.getPrototypeOf(error) as object | null, descriptors) as E;
}
