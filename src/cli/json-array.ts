/**
 * Reads one top-level JSON array given in pieces of any size (a file or stdin as it arrives), and
 * hands back its elements as soon as each is complete, in memory bounded by the pieces rather than by
 * the array.
 *
 * Only the array's frame (`[`, the commas, `]`) and each element's extent are found here, by a scan
 * that skips over strings with `indexOf`; the elements themselves are parsed by the native
 * `JSON.parse`, all the complete elements of a piece at once, so escapes, surrogates, numbers and
 * nesting follow the JSON grammar exactly. (A streaming JSON library such as `@streamparser/json`
 * tokenizes every character in JavaScript: several times slower than `JSON.parse` on a backup.)
 * @module
 */

/** The complete elements found in one piece, parsed. */
export interface ElementGroup {
  /** The elements, parsed by `JSON.parse` (numbers beyond 2^53 rounded: see {@link ElementGroup.source}). */
  readonly values: unknown[];
  /** Index in the array of `values[0]`. */
  readonly first: number;
  /** The JSON text of `values[i]` (to re-read a number exactly). */
  source(i: number): string;
}

/** A problem with the text; `element` is the index of the element it was found in, when there is one. */
export class JsonArrayError extends Error {
  /** Index of the element with the problem (undefined: the array's frame). */
  readonly element: number | undefined;
  /** The text is valid JSON but not an array. */
  readonly notArray: boolean;
  constructor(message: string, element?: number, notArray = false) {
    super(message);
    this.name = 'JsonArrayError';
    this.element = element;
    this.notArray = notArray;
  }
}

const enum State {
  /** Before `[` (a byte order mark and whitespace are skipped). */
  Start,
  /** After `[`: an element or `]`. */
  First,
  /** After a comma: an element. */
  Next,
  /** After an element: `,` or `]`. */
  After,
  /** Inside an element. */
  Element,
  /** After `]`: whitespace only. */
  Done,
  /** The text does not start with `[`: kept whole to say what it is. */
  NotArray,
}

const isSpace = (c: number): boolean => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * An incremental reader of one JSON array: {@link JsonArrayReader.push} each piece of text, then
 * {@link JsonArrayReader.end}; each returns the elements completed so far.
 * @example
 * const reader = new JsonArrayReader();
 * reader.push('[{"a":1},{"b"'); // → the group of {"a":1}
 * reader.push(':2}]'); // → the group of {"b":2}
 * reader.end();
 */
export class JsonArrayReader {
  /**
   * The start of the element the last piece ended in (its text so far, a copy), or, before a `[`
   * was found, the text kept to say what it is instead.
   */
  private text = '';
  private state = State.Start;
  /** Nesting depth inside the current element. */
  private depth = 0;
  /** Inside a string of the current element (its closing quote not seen yet). */
  private inString = false;
  /** Backslashes that ended the text so far, inside a string (they may escape a quote at the next piece's start). */
  private slashes = 0;
  /** Elements handed back so far. */
  private count = 0;

  /** Adds a piece of text; returns the elements it completed (`undefined`: none). */
  push(piece: string): ElementGroup | undefined {
    if (this.state === State.NotArray || this.state === State.Done) {
      if (this.state === State.Done) this.trailing(piece);
      else this.text += piece;
      return undefined;
    }
    return this.scan(piece);
  }

  /** Ends the input; returns the last elements. */
  end(): ElementGroup | undefined {
    switch (this.state) {
      case State.Done:
        return undefined;
      case State.NotArray: {
        const text = this.text;
        try {
          JSON.parse(text);
        } catch (error) {
          throw new JsonArrayError((error as Error).message);
        }
        throw new JsonArrayError('not an array', undefined, true);
      }
      case State.Start:
        throw new JsonArrayError('the input is empty');
      default:
        throw new JsonArrayError(`it ends before the array is closed (after ${this.count} complete entries: truncated?)`, this.state === State.Element ? this.count : undefined);
    }
  }

  private trailing(piece: string): void {
    for (let i = 0; i < piece.length; i++) {
      if (!isSpace(piece.charCodeAt(i))) throw new JsonArrayError(`unexpected text after the array: ${JSON.stringify(piece.slice(i, i + 20))}`);
    }
  }

  /**
   * Scans a piece; hands back the elements it completes and keeps (a copy of) the start of the one it
   * ends in. The piece is never joined to what came before: only an element that spans pieces is, and
   * each element is parsed from a slice of the piece (a view, not a copy). Copies of whole pieces were
   * most of what reading a backup allocated (bench/restore.mjs).
   */
  private scan(text: string): ElementGroup | undefined {
    const n = text.length;
    let i = 0;
    const starts: number[] = [];
    const ends: number[] = [];
    /** The element begun in an earlier piece, completed here (the first of `starts`, which is then 0). */
    let spanning: string | undefined;
    let elementStart = this.state === State.Element ? 0 : -1;
    for (;;) {
      if (this.state === State.Element) {
        // find the element's end
        let depth = this.depth;
        let ended = false;
        if (this.inString) {
          const close = stringEnd(text, i, elementStart === 0 && this.text.length > 0 ? this.slashes : 0);
          if (close < 0) {
            i = n;
          } else {
            i = close + 1;
            this.inString = false;
          }
        }
        while (i < n && !this.inString) {
          const c = text.charCodeAt(i);
          if (c === 34 /* " */) {
            const close = stringEnd(text, i + 1, 0);
            if (close < 0) {
              this.inString = true;
              i = n;
              break;
            }
            i = close + 1;
            if (depth === 0) {
              ended = true;
              break;
            }
          } else if (c === 123 /* { */ || c === 91 /* [ */) {
            depth++;
            i++;
          } else if (c === 125 /* } */ || c === 93 /* ] */) {
            if (depth === 0) {
              ended = true; // a bare value ends at the array's `]`
              break;
            }
            depth--;
            i++;
            if (depth === 0) {
              ended = true;
              break;
            }
          } else if (depth === 0 && (c === 44 /* , */ || isSpace(c))) {
            ended = true; // a bare value (number, true…) ends here
            break;
          } else i++;
        }
        this.depth = depth;
        if (!ended) {
          // keep the element's start: a copy, since a slice would keep the whole piece alive (the
          // template's cons is flattened into a new string by the slice)
          const rest = elementStart === 0 ? text : ` ${text.slice(elementStart)}`.slice(1);
          const continued = elementStart === 0 && this.text.length > 0;
          this.slashes = this.inString ? trailingSlashes(text, continued ? this.slashes : 0) : 0;
          this.text = continued ? this.text + rest : rest;
          break;
        }
        if (elementStart === 0 && this.text.length > 0) {
          spanning = this.text + text.slice(0, i);
          this.text = '';
        }
        starts.push(elementStart);
        ends.push(i);
        this.state = State.After;
        continue;
      }
      while (i < n && isSpace(text.charCodeAt(i))) i++;
      if (i === n) break;
      const c = text.charCodeAt(i);
      switch (this.state) {
        case State.Start:
          if (c === 0xfeff && i === 0) {
            i++;
            continue;
          }
          if (c !== 91 /* [ */) {
            this.state = State.NotArray;
            this.text = text.slice(i);
            return undefined;
          }
          this.state = State.First;
          i++;
          continue;
        case State.First:
        case State.Next:
          if (c === 93 /* ] */ && this.state === State.First) {
            this.state = State.Done;
            i++;
            continue;
          }
          if (c === 93 || c === 44 || c === 125) throw new JsonArrayError(`unexpected ${JSON.stringify(text[i])} where entry ${this.count + starts.length} should start`, this.count + starts.length);
          this.state = State.Element;
          this.depth = 0;
          this.inString = false;
          elementStart = i;
          continue;
        case State.After:
          if (c === 44 /* , */) {
            this.state = State.Next;
            i++;
            continue;
          }
          if (c === 93 /* ] */) {
            this.state = State.Done;
            i++;
            continue;
          }
          throw new JsonArrayError(`unexpected ${JSON.stringify(text.slice(i, i + 20))} after entry ${this.count + starts.length - 1} (expected "," or "]")`, this.count + starts.length - 1);
        case State.Done:
          throw new JsonArrayError(`unexpected text after the array: ${JSON.stringify(text.slice(i, i + 20))}`);
        default:
          throw new Error('unreachable');
      }
    }
    if (starts.length === 0) return undefined;
    const first = this.count;
    this.count += starts.length;
    const source = (k: number): string => (k === 0 && spanning !== undefined ? spanning : text.slice(starts[k], ends[k]));
    // each element parsed alone, from a slice (V8 parses a slice in place): no joined copy of the
    // piece; the first that is not valid JSON is named
    const values = new Array<unknown>(starts.length);
    for (let k = 0; k < starts.length; k++) {
      try {
        values[k] = JSON.parse(source(k));
      } catch (error) {
        throw new JsonArrayError(`entry ${first + k}: ${(error as Error).message}`, first + k);
      }
    }
    return { values, first, source };
  }
}

/** How many backslashes end `text` (`before`: how many ended the text before it, if it is all backslashes). */
function trailingSlashes(text: string, before: number): number {
  let count = 0;
  while (count < text.length && text.charCodeAt(text.length - 1 - count) === 92 /* \ */) count++;
  return count === text.length ? before + count : count;
}

/**
 * Index of the quote that closes a string whose content starts at `from` (-1: not in the text yet).
 * `before`: backslashes just before the text's start, still inside the string (the previous piece's end).
 */
function stringEnd(text: string, from: number, before: number): number {
  let at = from;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return -1;
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === 92 /* \ */) slashes++;
    if (slashes === quote) slashes += before; // the backslashes reach the text's start
    if ((slashes & 1) === 0) return quote;
    at = quote + 1;
  }
}
