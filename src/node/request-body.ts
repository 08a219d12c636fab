/// <reference types="node" />
/**
 * Request bodies for `node:http`: a fetch `BodyInit` turned into what goes on the wire — a string or
 * bytes sent with a `Content-Length`, or a stream sent chunked — with the `Content-Type` fetch would
 * have added.
 * @module
 */
import { Readable } from 'node:stream';
import { concatChunks } from '../core/body.ts';
import type { Abort } from './connection.ts';
import { onAbort } from './connection.ts';

/** Request bodies up to this size are buffered and sent with a Content-Length; larger ones are streamed. */
const BUFFER_LIMIT = 1024 * 1024;

/** A body as the connection sends it. @internal */
export type WireBody = string | Uint8Array | Readable | null;

/**
 * Reads a request body: small bodies (up to 1 MiB) are buffered so they go out with a Content-Length,
 * larger or endless ones (a snapshot restore) are streamed after the buffered part. The buffering
 * gives up when `signal` aborts (the caller's, or the transport's timeout): it cancels the stream and
 * rejects with the signal's reason. The streamed part is a Node stream whose destruction (the request
 * failed, timed out, was aborted or answered early) cancels the web stream.
 * @internal
 */
export async function requestBody(stream: ReadableStream<Uint8Array>, signal: Abort | AbortSignal | undefined): Promise<Uint8Array | Readable> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  let stop: Promise<never> | undefined;
  let unlink: (() => void) | undefined;
  if (signal !== undefined) {
    stop = new Promise<never>((_, reject) => {
      const cancel = (): void => {
        void reader.cancel(signal.reason).catch(() => {});
        reject(signal.reason);
      };
      if (signal.aborted) cancel();
      else unlink = onAbort(signal, cancel);
    });
    stop.catch(() => {}); // (rejected only while a read races it)
  }
  try {
    for (;;) {
      const { done, value } = await (stop === undefined ? reader.read() : Promise.race([reader.read(), stop]));
      if (done) {
        if (chunks.length === 1) return chunks[0]!;
        return concatChunks(chunks, size);
      }
      chunks.push(value);
      size += value.byteLength;
      if (size > BUFFER_LIMIT) break;
    }
  } finally {
    unlink?.();
  }
  let next = 0;
  return new Readable({
    read() {
      if (next < chunks.length) {
        const chunk = chunks[next]!;
        chunks[next++] = EMPTY;
        this.push(chunk);
        return;
      }
      const pull = (): void => {
        reader.read().then(({ done, value }) => {
          if (done) this.push(null);
          else if (value.byteLength === 0) pull();
          else this.push(value);
        }, (error: unknown) => this.destroy(error as Error));
      };
      pull();
    },
    destroy(error, callback) {
      // ended or not, let the source go (cancelling a finished stream does nothing)
      void reader.cancel(error ?? undefined).catch(() => {});
      callback(error);
    },
  });
}

const EMPTY = new Uint8Array(0);

/**
 * Turns a fetch `BodyInit` into what the connection sends, with the `Content-Type` fetch would have
 * added (strings, and a Blob's or URLSearchParams' own type).
 * @internal
 */
export async function toWireBody(body: BodyInit, signal: Abort | AbortSignal | undefined): Promise<{ body: WireBody; type?: string | undefined }> {
  if (typeof body === 'string') return { body, type: 'text/plain;charset=UTF-8' };
  if (body instanceof Uint8Array) return { body };
  if (ArrayBuffer.isView(body)) return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength) };
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body) };
  if (body instanceof ReadableStream) return { body: await requestBody(body as ReadableStream<Uint8Array>, signal) };
  // Blob, URLSearchParams, FormData: let a Response encode it, as fetch would
  const encoded = new Response(body);
  return { body: await requestBody(encoded.body!, signal), type: encoded.headers.get('content-type') ?? undefined };
}
