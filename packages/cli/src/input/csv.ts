// csv/tsv input (docs/cli.md §csv): a header row (unless header: false), then one record
// per row. RFC 4180 quoting: a field in double quotes may hold the delimiter, newlines and
// "" for a quote; rows end with LF or CRLF. As csv-parse users know them: `comment` (lines
// that start with it are skipped), `relaxColumnCount` (missing trailing fields are empty). Streaming: text is decoded chunk by chunk (a streaming, strict
// TextDecoder keeps
// multi-byte characters split across chunks whole) and only the current row is held.
import { isUtf8 } from 'node:buffer';
import { CliError, EXIT_USAGE, InputError, type InputLocation } from '../errors.js';
import type { ChunkParser, RecordSink } from './types.js';
import { count } from '../words.js';

export interface CsvOptions {
  delimiter: ',' | '\t';
  /** Column name or 1-based index of the key (default 1). */
  keyColumn?: string | undefined;
  /** Column name or 1-based index of the value; absent: the whole row as a JSON object (an array without header). */
  valueColumn?: string | undefined;
  /** false: no header row; columns by number, the first row sets the field count. Default true. */
  header?: boolean | undefined;
  /** A line that starts with this character (outside a quoted field) is skipped. */
  comment?: string | undefined;
  /** Rows with fewer fields than the header get empty ones; more is still an error. */
  relaxColumnCount?: boolean | undefined;
}

enum S {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted, // a '"' inside a quoted field: the end, or the first half of ""
  AfterQuoteCr, // CR after a closing quote: must be followed by LF
  Comment, // a comment line: skipped up to its LF
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
  /** Fields per row: the header's, or without header the first row's. */
  #width = 0;
  readonly #comment: number | undefined;
  #keyIndex = 0;
  #valueIndex: number | undefined;
  #records = 0;
  #recLine = 1;

  constructor(file: string, sink: RecordSink, options: CsvOptions) {
    this.#file = file;
    this.#sink = sink;
    this.#opts = options;
    this.#delim = options.delimiter.charCodeAt(0);
    this.#comment = options.comment !== undefined ? options.comment.charCodeAt(0) : undefined;
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
      throw new InputError(
        this.#file,
        { line: this.#line },
        `unexpected end of input: the quoted field opened on line ${this.#quoteLine} has no closing '"'`,
      );
    }
    if (this.#state === S.AfterQuoteCr) this.#state = S.FieldStart;
    if (this.#state === S.Comment) this.#state = S.FieldStart;
    if (this.#rowStarted) this.#endRow();
    if (this.#header === undefined && this.#opts.header !== false) {
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
          if (!this.#rowStarted && t.charCodeAt(i) === this.#comment) {
            this.#state = S.Comment;
            i++;
            break;
          }
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
            throw this.#error(
              `expected '${this.#opts.delimiter === '\t' ? '\\t' : ','}' or the end of the line after a closing quote, got ${JSON.stringify(t[i])}`,
            );
          }
          i++;
          break;
        }
        case S.Comment: {
          const nl = t.indexOf('\n', i);
          if (nl < 0) return;
          this.#state = S.FieldStart;
          this.#line++;
          this.#rowLine = this.#line;
          i = nl + 1;
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
    if (this.#width === 0) {
      this.#setHeader(row, line);
      if (this.#header !== undefined) return;
    }
    const width = this.#width;
    if (row.length === 1 && row[0] === '' && width > 1) return; // blank line
    if (row.length !== width) {
      const as = this.#header !== undefined ? 'as in the header' : 'as in the first row';
      if (row.length > width) {
        throw new InputError(
          this.#file,
          { line },
          `expected ${this.#opts.relaxColumnCount === true ? 'at most ' : ''}${count(width, 'field')} (${as}), got ${row.length}`,
        );
      }
      if (this.#opts.relaxColumnCount !== true) {
        throw new InputError(
          this.#file,
          { line },
          `expected ${count(width, 'field')} (${as}), got ${row.length} (--relax-column-count takes missing fields as empty)`,
        );
      }
      while (row.length < width) row.push('');
    }
    let value: string;
    if (this.#valueIndex !== undefined) {
      value = row[this.#valueIndex]!;
    } else if (this.#header !== undefined) {
      const obj: Record<string, string> = {};
      this.#header.forEach((name, k) => {
        obj[name] = row[k]!;
      });
      value = JSON.stringify(obj);
    } else {
      value = JSON.stringify(row);
    }
    this.#records++;
    this.#recLine = line;
    this.#sink(Buffer.from(row[this.#keyIndex]!, 'utf8'), Buffer.from(value, 'utf8'));
  }

  /** The first row: the header, or (header: false) the row that sets the width. */
  #setHeader(row: string[], line: number): void {
    this.#width = row.length;
    const names = this.#opts.header === false ? undefined : row;
    this.#header = names;
    this.#keyIndex = this.#column(this.#opts.keyColumn ?? '1', '--key-column', line);
    if (this.#opts.valueColumn !== undefined) {
      this.#valueIndex = this.#column(this.#opts.valueColumn, '--value-column', line);
    } else if (names !== undefined) {
      const seen = new Set<string>();
      for (const name of names) {
        if (seen.has(name)) {
          throw new InputError(
            this.#file,
            { line },
            `the header names column ${JSON.stringify(name)} twice; give --value-column or rename it`,
          );
        }
        seen.add(name);
      }
    }
  }

  /** A column given by header name, or else by 1-based index. */
  #column(spec: string, option: string, line: number): number {
    const header = this.#header;
    const byName = header?.indexOf(spec) ?? -1;
    if (byName >= 0) {
      if (header!.indexOf(spec, byName + 1) >= 0) {
        throw new InputError(
          this.#file,
          { line },
          `${option} ${JSON.stringify(spec)} matches more than one column of the header`,
        );
      }
      return byName;
    }
    if (/^[1-9][0-9]*$/.test(spec)) {
      const k = Number(spec);
      if (k <= this.#width) return k - 1;
      const has = header !== undefined ? `the header has ${this.#width}` : `the first row has ${this.#width}`;
      throw new InputError(this.#file, { line }, `${option} ${spec} is past the last column (${has})`);
    }
    if (/^0+$/.test(spec))
      throw new CliError(`${option} ${spec}: columns are numbered from 1 (the first column is 1)`, EXIT_USAGE);
    if (header === undefined) {
      throw new CliError(
        `${option} ${JSON.stringify(spec)}: with --no-header, columns are given by number (1 = the first)`,
        EXIT_USAGE,
      );
    }
    const names = header.map((h) => JSON.stringify(h)).join(', ');
    throw new InputError(
      this.#file,
      { line },
      `${option}: no column named ${JSON.stringify(spec)} in the header (columns: ${names})`,
    );
  }

  #error(what: string): InputError {
    return new InputError(this.#file, { line: this.#line }, what);
  }
}
