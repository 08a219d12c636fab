/// <reference types="node" />
/**
 * Request bodies for `node:http`: a fetch `BodyInit` turned into what goes on the wire — a string or
 * bytes sent with a `Content-Length`, or a stream sent chunked — with the `Content-Type` fetch would
 * have added.
 * @module
 */
import { Readable } from 'node:stream';
import { concatChunks } from '../core/body.ts';

/** Request bodies up to this size are buffered and sent with a Content-Length; larger ones are streamed. */
const BUFFER_LIMIT = 1024 * 1024;

/** A body as the connection sends it. @internal */
export type WireBody = string | Uint8Array | Readable | null;

/**
 * Reads a request body: small bodies (up to 1 MiB) are buffered so they go out with a Content-Length,
 * larger or endless ones (a snapshot restore) are streamed after the buffered part.
 * @internal
 */
export async function requestBody(stream: ReadableStream<Uint8Array>, signal: AbortSignal | undefined): Promise<Uint8Array | Readable> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      if (chunks.length === 1) return chunks[0]!;
      return concatChunks(chunks, size);
    }
    chunks.push(value);
    size += value.byteLength;
    if (size > BUFFER_LIMIT) break;
  }
  const onAbort = (): void => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', onAbort, { once: true });
  async function* rest(): AsyncGenerator<Uint8Array> {
    let finished = false;
    try {
      yield* chunks;
      chunks.length = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        yield value;
      }
      finished = true;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (!finished) await reader.cancel().catch(() => {});
    }
  }
  return Readable.from(rest(), { objectMode: false });
}

/**
 * Turns a fetch `BodyInit` into what the connection sends, with the `Content-Type` fetch would have
 * added (strings, and a Blob's or URLSearchParams' own type).
 * @internal
 */
export async function toWireBody(body: BodyInit, signal: AbortSignal | undefined): Promise<{ body: WireBody; type?: string | undefined }> {
  if (typeof body === 'string') return { body, type: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { body };
  if (ArrayBuffer.isView(body)) return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body) };
  if (body instanceof ReadableStream) return { body: await requestBody(body as ReadableStream<Uint8Array>, signal) };
  // Blob, URLSearchParams, FormData: let a Response encode it, as fetch would
  const encoded = new Response(body);
  return { body: await requestBody(encoded.body!, signal), type: encoded.headers.get('content-type') ?? undefined };
}
