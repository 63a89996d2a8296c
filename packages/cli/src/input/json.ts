// json input: one object, keys → values (docs/cli.md §json). Read whole (use jsonl for big
// inputs), then scanned member by member so that records keep the file's order (JSON.parse
// would move integer-like keys first and merge repeated keys) and errors name their line.
import { jsonDepthExceeded, MAX_JSON_DEPTH } from '@mmcdb/core';
import { InputError, type InputLocation } from '../errors.js';
import { isValidUtf8, jsonValueBytes, stripBom } from './values.js';
import type { RecordSink } from './types.js';

export class JsonObjectParser {
  readonly #file: string;
  readonly #sink: RecordSink;
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #text = '';
  #pos = 0;
  #records = 0;
  #recLine = 1;

  constructor(file: string, sink: RecordSink) {
    this.#file = file;
    this.#sink = sink;
  }

  get recordLocation(): InputLocation {
    return { line: this.#recLine, record: this.#records };
  }

  push(chunk: Uint8Array): void {
    this.#chunks.push(Buffer.from(chunk));
    this.#bytes += chunk.length;
  }

  end(): void {
    const bytes = Buffer.concat(this.#chunks, this.#bytes);
    this.#chunks.length = 0;
    if (!isValidUtf8(bytes)) throw invalidUtf8(this.#file, bytes);
    const text = bytes.toString('utf8');
    this.#text = stripBom(text);
    this.#parse();
  }

  #parse(): void {
    const t = this.#text;
    this.#ws();
    if (t[this.#pos] !== '{') {
      throw this.#fail(
        this.#pos,
        `expected a JSON object {"key": value, …}, got ${this.#pos >= t.length ? 'nothing' : this.#show()}`,
      );
    }
    this.#pos++;
    this.#ws();
    if (t[this.#pos] === '}') {
      this.#pos++;
    } else {
      for (;;) {
        this.#ws();
        const keyStart = this.#pos;
        if (t[keyStart] !== '"') throw this.#fail(keyStart, `expected a string key, got ${this.#show()}`);
        const keyEnd = this.#skipString();
        const key = this.#parseJson(keyStart, keyEnd) as string;
        this.#ws();
        if (t[this.#pos] !== ':') throw this.#fail(this.#pos, `expected ':' after the key, got ${this.#show()}`);
        this.#pos++;
        this.#ws();
        const valueStart = this.#pos;
        const valueEnd = this.#skipValue();
        const value = this.#parseJson(valueStart, valueEnd);
        this.#records++;
        this.#recLine = this.#lineOf(keyStart);
        this.#sink(Buffer.from(key, 'utf8'), jsonValueBytes(value));
        this.#ws();
        const c = t[this.#pos];
        this.#pos++;
        if (c === '}') break;
        if (c !== ',') throw this.#fail(this.#pos - 1, `expected ',' or '}' after a value, got ${this.#show(this.#pos - 1)}`);
      }
    }
    this.#ws();
    if (this.#pos < t.length) throw this.#fail(this.#pos, `expected the end of the input after the object, got ${this.#show()}`);
  }

  /** Skips one JSON value (structurally); JSON.parse checks it afterwards. */
  #skipValue(): number {
    const t = this.#text;
    const c = t[this.#pos];
    if (c === '"') return this.#skipString();
    if (c === '{' || c === '[') {
      const stack: string[] = [];
      while (this.#pos < t.length) {
        const d = t[this.#pos]!;
        if (d === '"') {
          this.#skipString();
          continue;
        }
        if (d === '{') stack.push('}');
        else if (d === '[') stack.push(']');
        else if (d === '}' || d === ']') {
          if (stack.pop() !== d) throw this.#fail(this.#pos, `unexpected '${d}'`);
          if (stack.length === 0) return ++this.#pos;
        }
        this.#pos++;
      }
      throw this.#fail(t.length, `unexpected end of input: expected '${stack.at(-1) ?? '}'}'`);
    }
    const m = /^[^\s,:{}[\]"]+/.exec(t.slice(this.#pos, this.#pos + 400));
    if (m === null) throw this.#fail(this.#pos, `expected a value, got ${this.#show()}`);
    this.#pos += m[0].length;
    return this.#pos;
  }

  /** Skips a string starting at #pos (a '"'); returns its end. */
  #skipString(): number {
    const t = this.#text;
    const start = this.#pos;
    let i = start + 1;
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c === 0x5c) i += 2;
      else if (c === 0x22) {
        this.#pos = i + 1;
        return this.#pos;
      } else i++;
    }
    throw this.#fail(start, 'unterminated string');
  }

  #parseJson(start: number, end: number): unknown {
    const deep = jsonDepthExceeded(this.#text.slice(start, end));
    if (deep >= 0) throw this.#fail(start + deep, `JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
    try {
      return JSON.parse(this.#text.slice(start, end));
    } catch (err) {
      const m = /at position (\d+)/.exec((err as Error).message);
      const at = m !== null ? start + Number(m[1]) : start;
      throw this.#fail(
        at,
        `invalid JSON: ${(err as Error).message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '')}`,
      );
    }
  }

  #ws(): void {
    const t = this.#text;
    while (this.#pos < t.length) {
      const c = t.charCodeAt(this.#pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.#pos++;
    }
  }

  #show(at = this.#pos): string {
    if (at >= this.#text.length) return 'the end of the input';
    return JSON.stringify(this.#text.slice(at, at + 12));
  }

  #cachePos = 0;
  #cacheLine = 1;

  /** 1-based line of `pos`; positions asked for mostly increase, so count on from the last one. */
  #lineOf(pos: number): number {
    if (pos < this.#cachePos) {
      this.#cachePos = 0;
      this.#cacheLine = 1;
    }
    const t = this.#text;
    for (let i = t.indexOf('\n', this.#cachePos); i >= 0 && i < pos; i = t.indexOf('\n', i + 1)) this.#cacheLine++;
    this.#cachePos = pos;
    return this.#cacheLine;
  }

  #fail(pos: number, what: string): InputError {
    const line = this.#lineOf(pos);
    const lineStart = this.#text.lastIndexOf('\n', pos - 1) + 1;
    return new InputError(this.#file, { line }, `column ${pos - lineStart + 1}: ${what}`);
  }
}

/** The first line of `bytes` that is not valid UTF-8, as an InputError. */
export function invalidUtf8(file: string, bytes: Buffer): InputError {
  let start = 0;
  for (let line = 1; ; line++) {
    const nl = bytes.indexOf(0x0a, start);
    const end = nl < 0 ? bytes.length : nl;
    if (!isValidUtf8(bytes.subarray(start, end)) || nl < 0) {
      return new InputError(file, { line, offset: start }, 'expected UTF-8 text, got invalid UTF-8 bytes on this line');
    }
    start = nl + 1;
  }
}
