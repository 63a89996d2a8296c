// Build inputs: which files (or stdin), in which format, read as chunks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { CliError, EXIT_USAGE, systemError } from '../errors.js';
import { CdbmakeParser } from './cdbmake.js';
import { CsvParser } from './csv.js';
import { JsonObjectParser } from './json.js';
import { JsonlParser } from './jsonl.js';
import type { BulkSink, ChunkParser, InputFormat, RecordSink } from './types.js';

export { INPUT_FORMATS, type InputFormat, type RecordSink, type ChunkParser } from './types.js';

export interface InputSpec {
  /** As shown in messages: the path as given, or `<stdin>`. */
  name: string;
  /** undefined = stdin. */
  path: string | undefined;
  format: InputFormat;
  /** File size in bytes (undefined for stdin and folders). */
  size: number | undefined;
}

const BY_EXTENSION: Record<string, InputFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
  '.tsv': 'tsv',
  '.tab': 'tsv',
  '.cdbmake': 'cdbmake',
};

/** The format of a file from its extension; anything else is cdbmake (as for cdbmake itself). */
export function formatFromName(file: string): InputFormat {
  return BY_EXTENSION[path.extname(file).toLowerCase()] ?? 'cdbmake';
}

/** Checks every input before the build starts; a missing or wrong input fails early. */
export function resolveInputs(args: readonly string[], forced: InputFormat | undefined): InputSpec[] {
  const list = args.length === 0 ? ['-'] : args;
  if (list.filter((a) => a === '-').length > 1) throw new CliError('stdin (-) can be given only once', EXIT_USAGE);
  return list.map((arg): InputSpec => {
    if (arg === '-') {
      if (forced === 'dir') throw new CliError('--input-format dir needs a folder, not stdin', EXIT_USAGE);
      return { name: '<stdin>', path: undefined, format: forced ?? 'cdbmake', size: undefined };
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(arg);
    } catch (err) {
      throw systemError(err, arg, 'read');
    }
    const format = forced ?? formatFromName(arg);
    if (format === 'dir') {
      if (!st.isDirectory()) throw new CliError(`${arg}: not a folder (--input-format dir reads every file under a folder)`);
      return { name: arg, path: arg, format, size: undefined };
    }
    if (st.isDirectory()) {
      throw new CliError(`cannot read ${arg}: is a directory (EISDIR); use --input-format dir to load the files under a folder`);
    }
    return { name: arg, path: arg, format, size: st.isFile() ? st.size : undefined };
  });
}

export interface ParserOptions {
  keyColumn?: string | undefined;
  valueColumn?: string | undefined;
  /** csv/tsv: false = no header row. */
  header?: boolean | undefined;
  /** csv/tsv: lines starting with this character are skipped. */
  comment?: string | undefined;
  /** csv/tsv: missing trailing fields are empty. */
  relaxColumnCount?: boolean | undefined;
  /** cdbmake: takes whole records in bulk (Writer.addCdbmake); the parser handles the rest. */
  bulk?: BulkSink | undefined;
}

export function createParser(spec: InputSpec, sink: RecordSink, options: ParserOptions): ChunkParser {
  switch (spec.format) {
    case 'cdbmake':
      return new CdbmakeParser(spec.name, sink, options.bulk);
    case 'jsonl':
      return new JsonlParser(spec.name, sink);
    case 'json':
      return new JsonObjectParser(spec.name, sink);
    case 'csv':
    case 'tsv':
      return new CsvParser(spec.name, sink, {
        delimiter: spec.format === 'csv' ? ',' : '\t',
        keyColumn: options.keyColumn,
        valueColumn: options.valueColumn,
        header: options.header,
        comment: options.comment,
        relaxColumnCount: options.relaxColumnCount,
      });
    case 'dir':
      throw new Error('dir input has no chunk parser');
  }
}

/** The csv/tsv-only options that were given, by name (for "apply to csv/tsv input only"). */
export function tabularOptionsGiven(o: ParserOptions): string[] {
  return [
    ['--key-column', o.keyColumn !== undefined],
    ['--value-column', o.valueColumn !== undefined],
    ['--no-header', o.header === false],
    ['--comment', o.comment !== undefined],
    ['--relax-column-count', o.relaxColumnCount === true],
  ]
    .filter(([, given]) => given)
    .map(([name]) => name as string);
}

/** `--comment <char>`: one character, not one that csv/tsv syntax uses. */
export function parseCommentChar(value: string): string {
  if (value.length !== 1 || value === '"' || value === ',' || value === '\t' || value === '\n' || value === '\r') {
    throw new InvalidArgumentError('expected one character (not a quote, comma, tab or newline), e.g. #');
  }
  return value;
}

export const DEFAULT_CHUNK = 1 << 20;

/** The bytes of a file or stdin, in chunks of at most `chunkSize` bytes. */
export async function* readChunks(
  spec: InputSpec,
  stdin: NodeJS.ReadableStream,
  chunkSize = DEFAULT_CHUNK,
): AsyncGenerator<Uint8Array> {
  const stream: AsyncIterable<Buffer> =
    spec.path === undefined ? (stdin as AsyncIterable<Buffer>) : fs.createReadStream(spec.path, { highWaterMark: chunkSize });
  try {
    for await (const chunk of stream) {
      if (chunk.length <= chunkSize) {
        yield chunk;
      } else {
        for (let p = 0; p < chunk.length; p += chunkSize) yield chunk.subarray(p, p + chunkSize);
      }
    }
  } catch (err) {
    throw systemError(err, spec.name, 'read');
  }
}
