// csv/tsv input (docs/cli.md §csv): a header row, then one record per row. RFC 4180
// quoting: a field in double quotes may hold the delimiter, newlines and "" for a quote;
// rows end with LF or CRLF. Streaming: text is decoded chunk by chunk (a streaming, strict
// TextDecoder keeps
// multi-byte characters split across chunks whole) and only the current row is held.
import { isUtf8 } from 'node:buffer';
import { InputError, type InputLocation } from '../errors.js';
import type { ChunkParser, RecordSink } from './types.js';

export interface CsvOptions {
  delimiter: ',' | '\t';
  /** Column name or 1-based index of the key (default 1). */
  keyColumn?: string | undefined;
  /** Column name or 1-based index of the value; absent: the whole row as a JSON object. */
  valueColumn?: string | undefined;
}

const enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted, // a '"' inside a quoted field: the end, or the first half of ""
  AfterQuoteCr, // CR after a closing quote: must be followed by LF
}

export class CsvParser implements ChunkParser {
  readonly #file: string;
  readonly #sink: RecordSink;
  readonly #opts: CsvOptions;
  readonly #delim: number;
  readonly #decoder = new TextDecoder('utf-8', { fatal: true });
  #state = S.FieldStart;
  #field = '';
  #row: string[] = [];
  #line = 1;
  #rowLine = 1;
  #quoteLine = 1;
  #rowStarted = false;
  #header: string[] | undefined;
  #keyIndex = 0;
  #valueIndex: number | undefined;
  #records = 0;
  #recLine = 1;

  constructor(file: string, sink: RecordSink, options: CsvOptions) {
    this.#file = file;
    this.#sink = sink;
    this.#opts = options;
    this.#delim = options.delimiter.charCodeAt(0);
  }

  get recordLocation(): InputLocation {
    return { line: this.#recLine, record: this.#records };
  }

  push(chunk: Uint8Array): void {
    this.#scan(this.#decode(chunk, true));
  }

  end(): void {
    const rest = this.#decode(new Uint8Array(0), false);
    if (rest.length > 0) this.#scan(rest);
    if (this.#state === S.Quoted) {
      throw new InputError(this.#file, { line: this.#line }, `unexpected end of input: the quoted field opened on line ${this.#quoteLine} has no closing '"'`);
    }
    if (this.#state === S.AfterQuoteCr) this.#state = S.FieldStart;
    if (this.#rowStarted) this.#endRow();
    if (this.#header === undefined) {
      throw new InputError(this.#file, { line: 1 }, 'expected a header row, got an empty input');
    }
  }

  /** Strict UTF-8 decoding (the BOM is dropped); invalid bytes are an error naming their line. */
  #decode(chunk: Uint8Array, stream: boolean): string {
    try {
      return this.#decoder.decode(chunk, { stream });
    } catch {
      let line = this.#line;
      let start = 0;
      for (;;) {
        const nl = chunk.indexOf(0x0a, start);
        if (nl < 0 || !isUtf8(chunk.subarray(start, nl))) break;
        line++;
        start = nl + 1;
      }
      throw new InputError(this.#file, { line }, 'expected UTF-8 text, got invalid UTF-8 bytes on this line');
    }
  }

  #scan(t: string): void {
    const n = t.length;
    const delim = this.#delim;
    let i = 0;
    while (i < n) {
      switch (this.#state) {
        case S.FieldStart: {
          this.#rowStarted = true;
          if (t.charCodeAt(i) === 0x22) {
            this.#state = S.Quoted;
            this.#quoteLine = this.#line;
            i++;
          } else {
            this.#state = S.Unquoted;
          }
          break;
        }
        case S.Unquoted: {
          let j = i;
          while (j < n) {
            const c = t.charCodeAt(j);
            if (c === delim || c === 0x0a) break;
            j++;
          }
          this.#field += t.slice(i, j);
          if (j === n) return;
          if (t.charCodeAt(j) === delim) {
            this.#endField();
          } else {
            if (this.#field.endsWith('\r')) this.#field = this.#field.slice(0, -1);
            this.#endField();
            this.#endRow();
            this.#line++;
          }
          i = j + 1;
          break;
        }
        case S.Quoted: {
          const q = t.indexOf('"', i);
          const j = q < 0 ? n : q;
          const part = t.slice(i, j);
          this.#field += part;
          for (let k = part.indexOf('\n'); k >= 0; k = part.indexOf('\n', k + 1)) this.#line++;
          if (q < 0) return;
          this.#state = S.QuoteInQuoted;
          i = j + 1;
          break;
        }
        case S.QuoteInQuoted: {
          const c = t.charCodeAt(i);
          if (c === 0x22) {
            this.#field += '"';
            this.#state = S.Quoted;
          } else if (c === delim) {
            this.#endField();
          } else if (c === 0x0a) {
            this.#endField();
            this.#endRow();
            this.#line++;
          } else if (c === 0x0d) {
            this.#state = S.AfterQuoteCr;
          } else {
            throw this.#error(`expected '${this.#opts.delimiter === '\t' ? '\\t' : ','}' or the end of the line after a closing quote, got ${JSON.stringify(t[i])}`);
          }
          i++;
          break;
        }
        case S.AfterQuoteCr: {
          if (t.charCodeAt(i) !== 0x0a) throw this.#error(`expected a newline after '\\r', got ${JSON.stringify(t[i])}`);
          this.#endField();
          this.#endRow();
          this.#line++;
          i++;
          break;
        }
      }
    }
  }

  #endField(): void {
    this.#row.push(this.#field);
    this.#field = '';
    this.#state = S.FieldStart;
  }

  #endRow(): void {
    if (this.#state !== S.FieldStart) this.#endField();
    const row = this.#row;
    const line = this.#rowLine;
    this.#row = [];
    this.#rowStarted = false;
    this.#rowLine = this.#line + 1;
    if (this.#header === undefined) {
      this.#setHeader(row, line);
      return;
    }
    const header = this.#header;
    if (row.length === 1 && row[0] === '' && header.length > 1) return; // blank line
    if (row.length !== header.length) {
      throw new InputError(this.#file, { line }, `expected ${header.length} fields (as in the header), got ${row.length}`);
    }
    let value: string;
    if (this.#valueIndex !== undefined) {
      value = row[this.#valueIndex]!;
    } else {
      const obj: Record<string, string> = {};
      header.forEach((name, k) => (obj[name] = row[k]!));
      value = JSON.stringify(obj);
    }
    this.#records++;
    this.#recLine = line;
    this.#sink(Buffer.from(row[this.#keyIndex]!, 'utf8'), Buffer.from(value, 'utf8'));
  }

  #setHeader(row: string[], line: number): void {
    this.#header = row;
    this.#keyIndex = this.#column(this.#opts.keyColumn ?? '1', '--key-column', line);
    if (this.#opts.valueColumn !== undefined) {
      this.#valueIndex = this.#column(this.#opts.valueColumn, '--value-column', line);
    } else {
      const seen = new Set<string>();
      for (const name of row) {
        if (seen.has(name)) {
          throw new InputError(this.#file, { line }, `the header names column ${JSON.stringify(name)} twice; give --value-column or rename it`);
        }
        seen.add(name);
      }
    }
  }

  /** A column given by header name, or else by 1-based index. */
  #column(spec: string, option: string, line: number): number {
    const header = this.#header!;
    const byName = header.indexOf(spec);
    if (byName >= 0) {
      if (header.indexOf(spec, byName + 1) >= 0) {
        throw new InputError(this.#file, { line }, `${option} ${JSON.stringify(spec)} matches more than one column of the header`);
      }
      return byName;
    }
    if (/^[1-9][0-9]*$/.test(spec)) {
      const k = Number(spec);
      if (k <= header.length) return k - 1;
      throw new InputError(this.#file, { line }, `${option} ${spec} is past the last column (the header has ${header.length})`);
    }
    const names = header.map((h) => JSON.stringify(h)).join(', ');
    throw new InputError(this.#file, { line }, `${option}: no column named ${JSON.stringify(spec)} in the header (columns: ${names})`);
  }

  #error(what: string): InputError {
    return new InputError(this.#file, { line: this.#line }, what);
  }
}
