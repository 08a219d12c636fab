import { describe, expect, it } from 'vitest';
import {
  durationMs,
  escapeKey,
  formatDuration,
  fromBase64,
  needsTxn,
  normalizeKey,
  parseJson,
  stringifyJson,
  toBase64,
  toBigInt,
  uint64,
} from '../../src/core/encoding.ts';

describe('uint64-exact JSON', () => {
  it('keeps integers above 2^53 exact as bigint and leaves the rest alone', () => {
    const text = '{"Flags":3304740253564472344,"Max":18446744073709551615,"Small":42,"Neg":-1,"F":1.5e3,"S":"12345678901234567890","Arr":[9007199254740993]}';
    expect(parseJson(text)).toEqual({
      Flags: 3304740253564472344n,
      Max: 18446744073709551615n,
      Small: 42,
      Neg: -1,
      F: 1500,
      S: '12345678901234567890',
      Arr: [9007199254740993n],
    });
  });

  it('does not touch digits inside strings with escaped quotes', () => {
    expect(parseJson('["a\\"12345678901234567890", 12345678901234567890]')).toEqual(['a"12345678901234567890', 12345678901234567890n]);
  });

  it('digits in strings (keys, values) never change the result: numbers stay numbers, strings stay strings', () => {
    const text = '[{"Key":"orders/1234567890123456789012","Value":"MTIzNDU2Nzg5MDEyMzQ1Njc4OTA=","Flags":0,"CreateIndex":9007199254740991,"Neg":-9007199254740991}]';
    const parsed = parseJson(text);
    expect(parsed).toEqual(JSON.parse(text));
    expect(typeof (parsed as { CreateIndex: unknown }[])[0]!.CreateIndex).toBe('number');
    // and beside such strings, an integer beyond 2^53 is still exact
    expect(parseJson('{"K":"a:12345678901234567890,","Flags":12345678901234567890}')).toEqual({ K: 'a:12345678901234567890,', Flags: 12345678901234567890n });
  });

  it('finds integers beyond 2^53 at any depth; other large numbers (negative, fractional) stay numbers as before', () => {
    expect(parseJson('{"a":{"b":[1,{"c":[18446744073709551615]}]}}')).toEqual({ a: { b: [1, { c: [18446744073709551615n] }] } });
    expect(parseJson('[-12345678901234567890, 1.5e300, 12345678901234567890.5]')).toEqual([-12345678901234567890, 1.5e300, 12345678901234567890.5]);
    expect(parseJson('18446744073709551615')).toBe(18446744073709551615n);
    expect(() => parseJson('{"a":')).toThrow(SyntaxError);
  });

  it('writes bigints as exact JSON integers', () => {
    expect(stringifyJson({ Flags: 18446744073709551615n, n: 1, s: 'x' })).toBe('{"Flags":18446744073709551615,"n":1,"s":"x"}');
    expect(parseJson(stringifyJson([0xe0f69a2baa414de0n]))).toEqual([0xe0f69a2baa414de0n]);
  });
});

describe('uint64 fields read as bigint', () => {
  it('gives the same exact bigint for numbers, small (made once) or not, and passes bigints through', () => {
    for (const n of [0, 1, 6, 1023, 1024, 65535, 2 ** 32, Number.MAX_SAFE_INTEGER]) {
      expect(toBigInt(n)).toBe(BigInt(n));
      expect(toBigInt(n)).toBe(toBigInt(n));
    }
    expect(toBigInt(3304740253564472344n)).toBe(3304740253564472344n);
    expect(toBigInt(undefined)).toBe(0n);
    // what BigInt() refuses is still refused, not rounded or cached
    expect(() => toBigInt(1.5)).toThrow(RangeError);
    expect(toBigInt(-1)).toBe(-1n);
  });
});

describe('uint64 arguments', () => {
  it('accepts safe numbers and bigints up to 2^64-1, refuses the rest', () => {
    expect(uint64(0, 'flags')).toBe('0');
    expect(uint64(18446744073709551615n, 'flags')).toBe('18446744073709551615');
    expect(() => uint64(2 ** 53, 'flags')).toThrow(/bigint/);
    expect(() => uint64(-1n, 'flags')).toThrow(/uint64/);
    expect(() => uint64(18446744073709551616n, 'flags')).toThrow(/uint64/);
    expect(() => uint64(Number.NaN, 'cas')).toThrow(/cas/);
  });
});

describe('keys', () => {
  it('escapes every segment and keeps the separators', () => {
    expect(escapeKey('a b/c?d#e%f+g/ü')).toBe('a%20b/c%3Fd%23e%25f%2Bg/%C3%BC');
  });
  it('drops one leading slash like the consul CLI', () => {
    expect(normalizeKey('/a/b')).toBe('a/b');
    expect(normalizeKey('//a')).toBe('/a');
  });
  it('knows which keys the HTTP router would clean', () => {
    for (const key of ['a//b', '/a', './a', 'a/./b', 'a/../b', '..', 'a/.', 'x//']) expect(needsTxn(key)).toBe(true);
    for (const key of ['a/b', 'a/', 'a.b/c..d', '.hidden', 'a/...']) expect(needsTxn(key)).toBe(false);
  });
});

describe('base64 and durations', () => {
  it('round-trips every byte value through base64', () => {
    const bytes = new Uint8Array(70000).map((_, i) => (i * 7) % 256);
    expect(fromBase64(toBase64(bytes))).toEqual(bytes);
  });
  it('validates Go durations', () => {
    expect(formatDuration('1m30s', 'ttl')).toBe('1m30s');
    expect(formatDuration(1500, 'wait')).toBe('1500ms');
    expect(durationMs('1m30s', 'x')).toBe(90_000);
    expect(durationMs('250ms', 'x')).toBe(250);
    expect(() => formatDuration('10', 'wait')).toThrow(/wait must be a Go duration/);
    expect(() => formatDuration('-1s', 'wait')).toThrow();
    expect(() => formatDuration(-5, 'wait')).toThrow();
  });
});

describe('base64 decoding', () => {
  /** The reference: atob and a byte copy. */
  const viaAtob = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

  it('decodes every length and byte value exactly as atob does', () => {
    for (let length = 0; length <= 70; length++) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 151 + length * 7) & 255);
      const text = toBase64(bytes);
      expect(fromBase64(text)).toEqual(bytes);
      expect(fromBase64(text)).toEqual(viaAtob(text));
    }
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(fromBase64(toBase64(all))).toEqual(all);
  });

  it('takes what atob takes (whitespace, no padding, stray bits) and refuses what it refuses', () => {
    for (const text of ['QQ', 'QUI', 'QU JD', 'QUJD\n', 'QR==', 'QUJ=', ' QUJD ']) expect(fromBase64(text)).toEqual(viaAtob(text));
    for (const text of ['Q', 'QUJ*', 'QUJDé===', 'QU=D', '====', 'QUJDRA=A']) {
      const expected = (() => {
        try {
          return viaAtob(text);
        } catch {
          return 'throws';
        }
      })();
      if (expected === 'throws') expect(() => fromBase64(text)).toThrow();
      else expect(fromBase64(text)).toEqual(expected);
    }
  });
});
