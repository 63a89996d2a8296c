// Keys to look up, from the command line or from stdin (`cdb get db -`), as bytes.
//
// Command-line keys are strings: Node decodes argv as UTF-8 and turns bytes that are not
// valid UTF-8 into U+FFFD, so a key in EUC-JP or Latin-1 would silently miss. Such a key
// is refused (usage error) with the ways that do carry raw bytes: --key-encoding hex or
// base64, or stdin, which is read as bytes and never decoded.
import { CliError, EXIT_USAGE, InputError } from './errors.js';
import { decodeText, type TextEncoding } from './input/values.js';

const REPLACEMENT = '\ufffd';

export interface KeySource {
  /** How each key is written: utf8 (stdin: the bytes as they are), hex or base64. */
  encoding: TextEncoding;
  /** stdin: keys end with a NUL byte instead of a newline. */
  nul: boolean;
}

/** A key given on the command line, decoded from `encoding`. */
export function argvKey(text: string, encoding: TextEncoding): Buffer {
  if (encoding === 'utf8' && text.includes(REPLACEMENT)) {
    throw new CliError(
      `the key ${JSON.stringify(text)} holds U+FFFD: its bytes were not valid UTF-8 on the command line, ` +
        `so they cannot be passed as they are; give the key with --key-encoding hex or base64 ` +
        `(a real U+FFFD is efbfbd in hex), or as raw bytes on stdin: printf '%s\\n' "$key" | cdb get <db> -`,
      EXIT_USAGE,
    );
  }
  const bytes = decodeText(text, encoding);
  if (bytes === undefined) throw new CliError(`the key is not valid ${encoding}: ${JSON.stringify(text)}`, EXIT_USAGE);
  return bytes;
}

/**
 * The keys of the arguments in order; `-` (at most once) stands for the keys read from
 * stdin. Every command-line key is checked now, before anything is read or looked up.
 */
export function keysOf(args: readonly string[], stdin: NodeJS.ReadableStream, source: KeySource): AsyncGenerator<Buffer> {
  if (args.filter((a) => a === '-').length > 1) throw new CliError('stdin (-) can be given only once', EXIT_USAGE);
  const fixed = args.map((a) => (a === '-' ? undefined : argvKey(a, source.encoding)));
  return (async function* () {
    for (const key of fixed) {
      if (key !== undefined) yield key;
      else yield* stdinKeys(stdin, source);
    }
  })();
}

/**
 * One key per line (LF; a CR before it is dropped), or per NUL-terminated item with
 * `nul`; a last key without its terminator counts. Bytes, not text: with utf8 encoding a
 * key is exactly the bytes of its line.
 */
export async function* stdinKeys(stdin: NodeJS.ReadableStream, source: KeySource): AsyncGenerator<Buffer> {
  const sep = source.nul ? 0x00 : 0x0a;
  let line = 0;
  const decode = (raw: Buffer): Buffer => {
    line++;
    const item = !source.nul && raw.length > 0 && raw[raw.length - 1] === 0x0d ? raw.subarray(0, raw.length - 1) : raw;
    if (source.encoding === 'utf8') return Buffer.from(item);
    const text = item.toString('latin1');
    const bytes = /^[\x20-\x7e]*$/.test(text) ? decodeText(text, source.encoding) : undefined;
    if (bytes === undefined) {
      throw new InputError(
        '<stdin>',
        { line },
        `the key is not valid ${source.encoding}: ${JSON.stringify(item.toString('utf8'))}`,
      );
    }
    return bytes;
  };
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (rest.length > 0) buf = Buffer.concat([rest, buf]);
    let start = 0;
    for (let i = buf.indexOf(sep, start); i >= 0; i = buf.indexOf(sep, start)) {
      yield decode(buf.subarray(start, i));
      start = i + 1;
    }
    rest = Buffer.from(buf.subarray(start));
  }
  if (rest.length > 0) yield decode(rest);
}
