// Reading a backup in pieces (kv restore streams its input): every split of the text gives the entries a
// whole-text parse gives, for every JSON edge — escapes, surrogate pairs, flags beyond 2^53, whitespace,
// nested objects, keys holding JSON punctuation — and errors name the entry. Pure: no agent needed.
import { describe, expect, it } from 'vitest';
import type { Entry, InputFormat } from '../../src/cli/kv-format.ts';
import { BackupReader, parseBackup } from '../../src/cli/kv-format.ts';
import { JsonArrayReader } from '../../src/cli/json-array.ts';

/** Reads `text` given in pieces of `size` characters. */
function inPieces(text: string, size: number, format: InputFormat = 'auto'): { entries: Entry[]; format: string | undefined; returnedBeforeEnd: number } {
  const reader = new BackupReader(format);
  const entries: Entry[] = [];
  for (let i = 0; i < text.length; i += size) entries.push(...reader.push(text.slice(i, i + size)));
  const returnedBeforeEnd = entries.length;
  entries.push(...reader.end());
  return { entries, format: reader.format, returnedBeforeEnd };
}

const b64 = (text: string): string => Buffer.from(text).toString('base64');

/** A backup with every edge the reader must get right. */
const tricky = [
  { key: 'plain', flags: 0, value: b64('x') },
  { key: 'quote " and backslash \\ and \\" together', flags: 1, value: '' },
  { key: 'ends with backslash \\', flags: 2, value: null },
  { key: 'json punctuation "},{"key":"x"} ] [ , :', flags: 3, value: b64('}]') },
  { key: 'emoji 😀 and é and \u2028 and \u0000 control', flags: 4, value: b64('😀') },
  { key: 'newline\nand tab\t', flags: 9007199254740991, value: b64('max safe') },
];

describe('reading a backup in pieces', () => {
  it('gives the same entries for every piece size, compact and pretty, with escapes and surrogate pairs', () => {
    for (const text of [JSON.stringify(tricky), JSON.stringify(tricky, null, '\t'), ` \r\n${JSON.stringify(tricky, null, 1)}\n\n`]) {
      const whole = parseBackup(text);
      expect(whole.format).toBe('export');
      expect(whole.entries.map((e) => e.key)).toEqual(tricky.map((e) => e.key));
      expect(whole.entries.map((e) => e.flags)).toEqual(tricky.map((e) => BigInt(e.flags)));
      expect(whole.entries.map((e) => e.value)).toEqual(tricky.map((e) => e.value ?? ''));
      for (const size of [1, 2, 3, 5, 7, 16, 64, 1000]) expect(inPieces(text, size).entries).toEqual(whole.entries);
    }
  });

  it('escaped surrogate pairs and escapes split across pieces', () => {
    const text = '[["\\ud83d\\ude00\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9", 0, "t\\u00e9xt \\ud83d\\ude00"]]';
    for (const size of [1, 2, 3, 4, 6, 100]) {
      const { entries } = inPieces(text, size);
      expect(entries).toEqual([{ key: '😀"\\/\b\f\n\r\té', flags: 0n, value: b64('téxt 😀') }]);
    }
  });

  it('keeps flags beyond 2^53 exact, whatever keys and values hold', () => {
    const text = '[{"key":"1234567890123456789","flags":18446744073709551615,"value":""},{"key":"b","flags":9007199254740993,"value":null},{"key":"c","flags":12345678901234567,"value":""}]';
    for (const size of [1, 9, 1000]) {
      expect(inPieces(text, size).entries.map((e) => e.flags)).toEqual([18446744073709551615n, 9007199254740993n, 12345678901234567n]);
    }
    expect(() => parseBackup('[{"key":"a","flags":18446744073709551616,"value":""}]')).toThrow(/entry 0 \("a"\): flags must be an integer from 0 to 2\^64-1, got 18446744073709551616/);
    expect(() => parseBackup('[{"key":"a","flags":1.5,"value":""}]')).toThrow(/entry 0 \("a"\): flags must be/);
    expect(() => parseBackup('[{"key":"a","flags":1e300,"value":""}]')).toThrow(/entry 0 \("a"\): flags must be/);
    expect(parseBackup('[{"key":"a","flags":1e3,"value":""}]').entries[0]!.flags).toBe(1000n);
  });

  it('reads API records with nested objects and fields it does not know', () => {
    const records = [
      { LockIndex: 0, Key: 'a', Flags: 7, Value: b64('v'), Future: { nested: [1, { deep: ']}"' }], more: null }, CreateIndex: 18446744073709551615, ModifyIndex: 2 },
      { LockIndex: 0, Key: 'b', Flags: 0, Value: null, CreateIndex: 1, ModifyIndex: 1 },
    ];
    const text = JSON.stringify(records, null, 2).replace('18446744073709552000', '18446744073709551615');
    for (const size of [1, 13, 10_000]) {
      const { entries, format } = inPieces(text, size);
      expect(format).toBe('api');
      expect(entries).toEqual([{ key: 'a', flags: 7n, value: b64('v') }, { key: 'b', flags: 0n, value: '' }]);
    }
  });

  it('returns entries as pieces complete them, before the end of the input', () => {
    const text = JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ key: `k${i}`, flags: 0, value: '' })));
    const { entries, returnedBeforeEnd } = inPieces(text, 50);
    expect(entries).toHaveLength(100);
    expect(returnedBeforeEnd).toBe(100); // all complete before end() (which only checks the array is closed)
    const reader = new BackupReader();
    expect(reader.push(text.slice(0, text.indexOf('k50') - 9))).toHaveLength(50);
  });

  it('names what is wrong: the entry, truncation, trailing text, not an array', () => {
    const cases: [string, RegExp][] = [
      ['', /not valid JSON: the input is empty/],
      ['not json', /the backup is not valid JSON: Unexpected token/],
      ['{"key":"x"}', /the backup must be a JSON array/],
      ['[{"key":"a","flags":0,"value":""},{"key":"b","flags":0,"value":""}', /not valid JSON: it ends before the array is closed \(after 2 complete entries: truncated\?\)/],
      ['[{"key":"a","flags":0,"value":""},{"key":"b","fl', /not valid JSON: it ends before the array is closed \(after 1 complete entries/],
      ['[{"key":"a","flags":0,"value":""},{"key":"b",}]', /not valid JSON: entry 1: /],
      ['[{"key":"a","flags":0,"value":""}] x', /not valid JSON: unexpected text after the array: "x"/],
      ['[{"key":"a","flags":0,"value":""},]', /not valid JSON: unexpected "\]" where entry 1 should start/],
      ['[{"key":"a","flags":0,"value":""} {"key":"b"}]', /not valid JSON: unexpected .* after entry 0 \(expected "," or "\]"\)/],
      ['[{"key":"a","flags":0,"value":"***"}]', /entry 0 \("a"\): the value is not valid base64/],
      ['[{"key":"a","flags":0,"value":"AAA"}]', /entry 0 \("a"\): the value is not valid base64/],
      ['[{"key":"a","flags":0,"value":"A==="}]', /entry 0 \("a"\): the value is not valid base64/],
      ['[{"key":"","flags":0,"value":""}]', /entry 0: the key must be a non-empty string/],
      ['[1]', /unrecognised backup format/],
      ['[["a",0,"x"],{"key":"b"}]', /entry 1: expected a \[key, flags, value\] array/],
    ];
    for (const [text, message] of cases) {
      for (const size of [1, 4, 100_000]) expect(() => inPieces(text, size), `${text} in pieces of ${size}`).toThrow(message);
    }
  });

  it('base64 values: padding rules as before (a cheap check, same answers)', () => {
    for (const value of ['', 'AA==', 'AAA=', 'AAAA', 'ab+/', b64('any text at all')]) {
      expect(parseBackup(JSON.stringify([{ key: 'k', flags: 0, value }])).entries[0]!.value).toBe(value);
    }
    for (const value of ['=', '====', 'A', 'AA=', 'AA=A', 'AAAA=', 'AA==AAAA', 'AA AA', 'AA-_']) {
      expect(() => parseBackup(JSON.stringify([{ key: 'k', flags: 0, value }])), value).toThrow(/not valid base64/);
    }
  });
});

describe('consulate triples whose encoding is not given', () => {
  it('holds every entry back while each value looks like base64, releases them all at the first text value', () => {
    const lookalikes = Array.from({ length: 200 }, (_, i) => [`k${i}`, 0, i % 3 === 0 ? '' : 'abcd']);
    const text = JSON.stringify([...lookalikes, ['text', 0, 'hello world'], ['after', 0, 'YWJj']]);
    const reader = new BackupReader();
    const cut = text.indexOf('"text"');
    expect(reader.push(text.slice(0, cut))).toEqual([]); // nothing returned: nothing can be written yet
    const released = [...reader.push(text.slice(cut)), ...reader.end()];
    expect(released).toHaveLength(202);
    expect(reader.format).toBe('consulate-text');
    expect(released[1]).toEqual({ key: 'k1', flags: 0n, value: b64('abcd') });
    expect(released.at(-1)).toEqual({ key: 'after', flags: 0n, value: b64('YWJj') });
  });

  it('refuses at the end when every non-empty value is base64, having returned nothing', () => {
    const text = JSON.stringify(Array.from({ length: 500 }, (_, i) => [`k${i}`, 0, 'vvvv']));
    const reader = new BackupReader();
    for (let i = 0; i < text.length; i += 100) expect(reader.push(text.slice(i, i + 100))).toEqual([]);
    expect(() => reader.end()).toThrow(expect.objectContaining({ exitCode: 2, message: expect.stringMatching(/every value of these \[key, flags, value\] triples is also valid base64 \(e\.g\. "vvvv"\)/) }));
  });

  it('-b and --text say it: nothing is held back', () => {
    const text = JSON.stringify([['a', 0, 'vvvv'], ['b', 0, 'dGV4dA==']]);
    const asText = new BackupReader('consulate-text');
    expect(asText.push(text)).toEqual([{ key: 'a', flags: 0n, value: b64('vvvv') }, { key: 'b', flags: 0n, value: b64('dGV4dA==') }]);
    const asBase64 = new BackupReader('consulate-base64');
    expect(asBase64.push(text)).toEqual([{ key: 'a', flags: 0n, value: 'vvvv' }, { key: 'b', flags: 0n, value: 'dGV4dA==' }]);
    expect(parseBackup(JSON.stringify([['a', 0, ''], ['b', 0, null]])).format).toBe('consulate-text');
  });
});

describe('JsonArrayReader', () => {
  it('hands back elements with their exact source text', () => {
    const reader = new JsonArrayReader();
    const group = reader.push('[ {"a" : 1} ,\n["x\\"]", 2] , "s" , 12 ]');
    expect(group!.values).toEqual([{ a: 1 }, ['x"]', 2], 's', 12]);
    expect([0, 1, 2, 3].map((i) => group!.source(i))).toEqual(['{"a" : 1}', '["x\\"]", 2]', '"s"', '12']);
    expect(reader.end()).toBeUndefined();
  });
});

describe('JsonArrayReader: pieces are scanned separately (an element that spans them is joined alone)', () => {
  /** Every value of `values`, collected from `text` given in pieces at the cut points `cuts`. */
  function collect(text: string, cuts: readonly number[]): unknown[] {
    const reader = new JsonArrayReader();
    const out: unknown[] = [];
    let from = 0;
    for (const cut of [...cuts, text.length]) {
      const group = reader.push(text.slice(from, cut));
      if (group) for (let k = 0; k < group.values.length; k++) {
        out.push(group.values[k]);
        expect(JSON.parse(group.source(k))).toEqual(group.values[k]); // the source is the element's exact text
      }
      from = cut;
    }
    expect(reader.end()).toBeUndefined();
    return out;
  }

  it('runs of backslashes before a quote, cut anywhere (also into pieces of backslashes only)', () => {
    const values = ['\\', '\\\\', '\\"', '\\\\"', 'a\\\\\\"b', '\\\\\\\\', ['\\"]', '\\'], { k: '\\\\"},{' }, 12, true, null, ''];
    const text = JSON.stringify(values);
    for (let a = 0; a <= text.length; a++) {
      expect(collect(text, [a])).toEqual(values);
      for (let b = a; b <= Math.min(text.length, a + 6); b++) expect(collect(text, [a, b])).toEqual(values);
    }
  });

  it('an element longer than many pieces (a large value), and bare values cut between digits', () => {
    const values = [{ key: 'big', value: `${'\\'.repeat(33)}${'x'.repeat(5000)}"` }, 1234567, -0.5e-3, 'end'];
    const text = JSON.stringify(values, null, 2);
    for (const size of [1, 3, 17, 256, 4096]) {
      const cuts: number[] = [];
      for (let at = size; at < text.length; at += size) cuts.push(at);
      expect(collect(text, cuts)).toEqual(values);
    }
  });

  it('names the first invalid entry of a piece, and one that spans pieces', () => {
    const reader = new JsonArrayReader();
    expect(reader.push('[1, {"a": 2}, {"b"')!.values).toEqual([1, { a: 2 }]);
    expect(() => reader.push(': 3, }, 4]')).toThrow(/^entry 2: /);
    const other = new JsonArrayReader();
    expect(() => other.push('[1, 2, tru, 4]')).toThrow(/^entry 2: /);
  });
});
