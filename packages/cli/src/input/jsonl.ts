// jsonl input: one {"key": …, "value": …} object per line (docs/cli.md §jsonl). Split
// into lines as bytes, streaming: only the current line is held in memory.
import { jsonDepthExceeded, MAX_JSON_DEPTH } from '@mmcdb/core';
import { InputError, type InputLocation } from '../errors.js';
import type { ChunkParser, RecordSink } from './types.js';
import { decodeText, isValidUtf8, jsonValueBytes, TEXT_ENCODINGS, type TextEncoding } from './values.js';

const NL = 0x0a;

export class JsonlParser implements ChunkParser {
  readonly #file: string;
  readonly #sink: RecordSink;
  #pending: Uint8Array[] = [];
  #pendingBytes = 0;
  #offset = 0; // input offset of the start of the current (pending) line
  #line = 1;
  #records = 0;
  #recLine = 1;
  #recOffset = 0;

  constructor(file: string, sink: RecordSink) {
    this.#file = file;
    this.#sink = sink;
  }

  get recordLocation(): InputLocation {
    return { line: this.#recLine, record: this.#records, offset: this.#recOffset };
  }

  push(chunk: Uint8Array): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      if (nl < 0) break;
      let line: Uint8Array = chunk.subarray(start, nl);
      if (this.#pendingBytes > 0) {
        this.#pending.push(line);
        line = Buffer.concat(this.#pending, this.#pendingBytes + line.length);
        this.#pending = [];
        this.#pendingBytes = 0;
      }
      this.#parseLine(line);
      this.#offset += line.length + 1;
      this.#line++;
      start = nl + 1;
    }
    if (start < chunk.length) {
      // Copy: the rest of this chunk is needed after the caller reuses or drops it.
      const rest = Buffer.from(chunk.subarray(start));
      this.#pending.push(rest);
      this.#pendingBytes += rest.length;
    }
  }

  end(): void {
    if (this.#pendingBytes > 0) {
      const line = Buffer.concat(this.#pending, this.#pendingBytes);
      this.#pending = [];
      this.#pendingBytes = 0;
      this.#parseLine(line);
    }
  }

  #parseLine(bytes: Uint8Array): void {
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === 0x0d) end--; // CRLF
    let begin = 0;
    if (this.#line === 1 && end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) begin = 3; // BOM
    const raw = bytes.subarray(begin, end);
    if (isBlank(raw)) return;
    const fail = (what: string): InputError => new InputError(this.#file, { line: this.#line, offset: this.#offset }, what);
    if (!isValidUtf8(raw)) throw fail('expected UTF-8 text, got invalid UTF-8 bytes');
    const text = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('utf8');
    const deep = jsonDepthExceeded(text);
    if (deep >= 0) throw fail(`JSON nests deeper than ${MAX_JSON_DEPTH} levels at column ${deep + 1}`);
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch (err) {
      const message = (err as Error).message;
      const m = /at position (\d+)/.exec(message);
      const col = m !== null ? ` at column ${Number(m[1]) + 1}` : '';
      throw fail(
        `invalid JSON${col}: ${message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+/, '')}`,
      );
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      throw fail(`expected an object {"key": …, "value": …}, got ${kind(obj)}`);
    }
    const o = obj as Record<string, unknown>;
    if (!('key' in o)) throw fail('expected a "key" field');
    if (!('value' in o)) throw fail('expected a "value" field');
    const keyEncoding = encodingField(o, 'keyEncoding', fail);
    const valueEncoding = encodingField(o, 'encoding', fail);
    if (typeof o['key'] !== 'string') throw fail(`expected "key" to be a string, got ${kind(o['key'])}`);
    const key = decodeText(o['key'], keyEncoding);
    if (key === undefined) throw fail(`"key" is not valid ${keyEncoding}`);
    let value: Buffer | undefined;
    if (valueEncoding === 'utf8') {
      value = jsonValueBytes(o['value']);
    } else {
      if (typeof o['value'] !== 'string') throw fail(`expected "value" to be a ${valueEncoding} string, got ${kind(o['value'])}`);
      value = decodeText(o['value'], valueEncoding);
      if (value === undefined) throw fail(`"value" is not valid ${valueEncoding}`);
    }
    this.#records++;
    this.#recLine = this.#line;
    this.#recOffset = this.#offset;
    this.#sink(key, value);
  }
}

function encodingField(o: Record<string, unknown>, name: string, fail: (what: string) => InputError): TextEncoding {
  const e = o[name];
  if (e === undefined) return 'utf8';
  if (typeof e !== 'string' || !(TEXT_ENCODINGS as readonly string[]).includes(e)) {
    throw fail(`expected "${name}" to be one of ${TEXT_ENCODINGS.map((s) => `"${s}"`).join(', ')}, got ${JSON.stringify(e)}`);
  }
  return e as TextEncoding;
}

function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}

export function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return 'a string';
  return `a ${typeof v}`;
}
