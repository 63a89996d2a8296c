// cdbmake input (docs/cli.md §Input formats): `+klen,dlen:key->data\n` per record, then
// one empty line. Parsed as bytes in a streaming state machine: a record may span any
// number of chunks; keys and data that lie inside one chunk are passed on as views.
import { InputError, type InputLocation } from '../errors.js';
import type { BulkSink, ChunkParser, RecordSink } from './types.js';
import { sniffDatabase, startHint } from './sniff.js';
import { count } from '../words.js';

const PLUS = 0x2b;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const GT = 0x3e;
const NL = 0x0a;
const CR = 0x0d;
const ZERO = 0x30;
const NINE = 0x39;

/** Longest accepted length field, in digits (leading zeros allowed, value ≤ 2^53). */
const MAX_DIGITS = 20;
const MAX_KEY = 0x7fffffff;
/** The largest Buffer this Node can allocate. */
const MAX_VALUE = 2 ** 32;

enum S {
  Start, // expecting '+' or the final '\n'
  KeyLen,
  DataLen,
  Key,
  Arrow1,
  Arrow2,
  Data,
  Newline,
  Done,
}

export class CdbmakeParser implements ChunkParser {
  readonly #file: string;
  readonly #sink: RecordSink;
  #state = S.Start;
  #offset = 0; // bytes consumed before the current chunk
  #line = 1;
  #records = 0;
  #digits = 0;
  #klen = 0;
  #dlen = 0;
  #key: Uint8Array = new Uint8Array(0);
  #keyFill = 0;
  #data: Uint8Array = new Uint8Array(0);
  #dataFill = 0;
  #recOffset = 0;
  #recLine = 1;

  readonly #bulk: BulkSink | undefined;

  constructor(file: string, sink: RecordSink, bulk?: BulkSink) {
    this.#file = file;
    this.#sink = sink;
    this.#bulk = bulk;
  }

  get recordLocation(): InputLocation {
    return { line: this.#recLine, record: this.#records, offset: this.#recOffset };
  }

  push(chunk: Uint8Array): void {
    const n = chunk.length;
    let i = 0;
    if (this.#offset === 0 && this.#state === S.Start) this.#refuseDatabase(chunk);
    while (i < n) {
      switch (this.#state) {
        case S.Start: {
          const c = chunk[i]!;
          if (c === PLUS && this.#bulk !== undefined) {
            // Whole records in bulk; the state machine takes over at the first byte that
            // is not one (a record cut by the chunk's end, the final empty line, bad input).
            // An error the writer raises is located at the batch's first record.
            this.#recOffset = this.#offset + i;
            this.#recLine = this.#line;
            const took = this.#bulk(i === 0 ? chunk : chunk.subarray(i));
            if (took.records > 0) {
              this.#records += took.records;
              this.#line += took.lines;
              i += took.consumed;
              break;
            }
          }
          if (c === PLUS) {
            this.#recOffset = this.#offset + i;
            this.#recLine = this.#line;
            this.#state = S.KeyLen;
            this.#klen = 0;
            this.#digits = 0;
            i++;
          } else if (c === NL) {
            this.#state = S.Done;
            this.#line++;
            i++;
          } else {
            const hint = this.#offset + i === 0 ? startHint(chunk) : '';
            throw this.#error(i, `expected '+' (a record) or an empty line (the end), got ${show(c)}${hint}`);
          }
          break;
        }
        case S.KeyLen:
        case S.DataLen: {
          const c = chunk[i]!;
          const isKey = this.#state === S.KeyLen;
          if (c >= ZERO && c <= NINE) {
            if (++this.#digits > MAX_DIGITS) throw this.#error(i, `${isKey ? 'key' : 'data'} length has too many digits`);
            if (isKey) this.#klen = this.#klen * 10 + (c - ZERO);
            else this.#dlen = this.#dlen * 10 + (c - ZERO);
            i++;
            break;
          }
          const sep = isKey ? COMMA : COLON;
          if (c !== sep || this.#digits === 0) {
            const what = isKey ? 'key length' : 'data length';
            throw this.#error(
              i,
              `expected ${this.#digits === 0 ? `a digit (${what})` : `a digit or ${show(sep)}`}, got ${show(c)}`,
            );
          }
          if (isKey) {
            if (this.#klen > MAX_KEY) throw this.#error(i, `key length ${this.#klen} exceeds ${MAX_KEY}`);
            this.#state = S.DataLen;
            this.#dlen = 0;
            this.#digits = 0;
          } else {
            if (this.#dlen >= MAX_VALUE)
              throw this.#error(i, `data length ${this.#dlen} is too large (at most ${MAX_VALUE - 1})`);
            this.#state = S.Key;
            this.#keyFill = 0;
            this.#key = EMPTY;
          }
          i++;
          break;
        }
        case S.Key: {
          const need = this.#klen - this.#keyFill;
          if (this.#keyFill === 0 && n - i >= need) {
            this.#key = chunk.subarray(i, i + need);
          } else {
            if (this.#keyFill === 0) this.#key = Buffer.allocUnsafe(this.#klen);
            const take = Math.min(need, n - i);
            this.#key.set(chunk.subarray(i, i + take), this.#keyFill);
            this.#keyFill += take;
            this.#countLines(chunk, i, i + take);
            i += take;
            if (this.#keyFill < this.#klen) break;
            this.#state = S.Arrow1;
            break;
          }
          this.#countLines(chunk, i, i + need);
          i += need;
          this.#state = S.Arrow1;
          break;
        }
        case S.Arrow1:
        case S.Arrow2: {
          const c = chunk[i]!;
          const want = this.#state === S.Arrow1 ? MINUS : GT;
          if (c !== want) throw this.#error(i, `expected '->' after the ${this.#klen}-byte key, got ${show(c)}`);
          i++;
          if (this.#state === S.Arrow1) {
            this.#state = S.Arrow2;
          } else {
            this.#state = S.Data;
            this.#dataFill = 0;
            this.#data = EMPTY;
          }
          break;
        }
        case S.Data: {
          const need = this.#dlen - this.#dataFill;
          if (this.#dataFill === 0 && n - i >= need) {
            this.#data = chunk.subarray(i, i + need);
            this.#countLines(chunk, i, i + need);
            i += need;
            this.#state = S.Newline;
            break;
          }
          if (this.#dataFill === 0) this.#data = Buffer.allocUnsafe(this.#dlen);
          const take = Math.min(need, n - i);
          this.#data.set(chunk.subarray(i, i + take), this.#dataFill);
          this.#dataFill += take;
          this.#countLines(chunk, i, i + take);
          i += take;
          if (this.#dataFill === this.#dlen) this.#state = S.Newline;
          break;
        }
        case S.Newline: {
          const c = chunk[i]!;
          if (c !== NL) {
            const hint = c === CR ? ' (CRLF line ends are not allowed: the lengths must match the bytes exactly)' : '';
            throw this.#error(i, `expected a newline after the ${this.#dlen}-byte data, got ${show(c)}${hint}`);
          }
          this.#records++;
          this.#sink(this.#key, this.#data);
          this.#line++;
          i++;
          this.#state = S.Start;
          this.#key = EMPTY;
          this.#data = EMPTY;
          break;
        }
        case S.Done:
          // Bytes after the terminating empty line are ignored, as cdbmake does.
          i = n;
          break;
      }
    }
    // Views of this chunk must be copied when the record continues in the next one.
    if (this.#state >= S.Arrow1 && this.#state <= S.Newline) this.#own();
    this.#offset += n;
  }

  #own(): void {
    if (this.#keyFill === 0 && this.#klen > 0) {
      this.#key = Buffer.from(this.#key);
      this.#keyFill = this.#klen;
    }
    if (this.#state === S.Newline && this.#dataFill === 0 && this.#dlen > 0) {
      this.#data = Buffer.from(this.#data);
      this.#dataFill = this.#dlen;
    }
  }

  end(): void {
    if (this.#state === S.Done) return;
    const at = { line: this.#line, offset: this.#offset };
    if (this.#state === S.Start) {
      throw new InputError(this.#file, at, 'unexpected end of input: expected an empty line to end the cdbmake input');
    }
    let expected: string;
    switch (this.#state) {
      case S.KeyLen:
      case S.DataLen:
        expected = 'the rest of the lengths';
        break;
      case S.Key:
        expected = count(this.#klen - this.#keyFill, 'more key byte');
        break;
      case S.Arrow1:
      case S.Arrow2:
        expected = "'->'";
        break;
      case S.Data:
        expected = count(this.#dlen - this.#dataFill, 'more data byte');
        break;
      default:
        expected = 'a newline after the data';
    }
    throw new InputError(
      this.#file,
      { line: this.#recLine, record: this.#records + 1, offset: this.#recOffset },
      `unexpected end of input inside the record starting here: expected ${expected}`,
    );
  }

  #countLines(chunk: Uint8Array, from: number, to: number): void {
    let p = from;
    while (p < to) {
      const q = chunk.indexOf(NL, p);
      if (q < 0 || q >= to) return;
      this.#line++;
      p = q + 1;
    }
  }

  /** A database given as build input (its first bytes, when the first chunk holds them). */
  #refuseDatabase(head: Uint8Array): void {
    const format = sniffDatabase(head);
    if (format === undefined) return;
    const name = this.#file === '<stdin>' ? '<db>' : this.#file;
    throw this.#error(
      0,
      `this is ${format === 'mmcdb' ? 'an mmcdb' : 'a classic cdb'} database, not build input: to copy or convert it, use cdb convert ${name} <out>`,
    );
  }

  #error(i: number, what: string): InputError {
    return new InputError(this.#file, { line: this.#line, offset: this.#offset + i, record: this.#records + 1 }, what);
  }
}

const EMPTY = new Uint8Array(0);

function show(c: number): string {
  if (c === NL) return 'a newline';
  if (c === CR) return 'a carriage return';
  if (c >= 0x20 && c < 0x7f) return `'${String.fromCharCode(c)}'`;
  return `byte 0x${c.toString(16).padStart(2, '0')}`;
}
