/// <reference types="node" />
/**
 * How `consulate kv get` shows a value: the exact bytes on a file or pipe; on a terminal, a value
 * that is not UTF-8 text, or that holds control characters a terminal would act on (escape
 * sequences, backspace, NUL…), is shown as base64 instead of being dumped.
 * @module
 */

/** C0 control characters other than tab, line feed and carriage return, and DEL. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Whether bytes are UTF-8 text a terminal shows as it is. */
export function isPrintableText(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return false;
  }
  return !CONTROL.test(text);
}

/**
 * The bytes to print for a value.
 * @param terminal - stdout is a terminal.
 * @returns the value's bytes, or (on a terminal, for a value that is not printable text) its base64
 *   with `base64: true`.
 */
export function displayValue(bytes: Uint8Array, terminal: boolean): { bytes: Uint8Array; base64: boolean } {
  if (!terminal || isPrintableText(bytes)) return { bytes, base64: false };
  return { bytes: Buffer.from(Buffer.from(bytes).toString('base64')), base64: true };
}
