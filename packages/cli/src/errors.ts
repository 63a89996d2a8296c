// Exit codes and error messages of the cdb command (tinycdb conventions, docs/cli.md):
// 0 ok/found, 100 not found, 111 error, 2 usage. Expected errors become one line on
// stderr; a stack trace is printed only with DEBUG=mmcdb (or DEBUG=*).
import { isCdbError } from '@mmcdb/core';
import type { Io } from './context.js';

export const EXIT_OK = 0;
export const EXIT_NOT_FOUND = 100;
export const EXIT_ERROR = 111;
export const EXIT_USAGE = 2;

/** An expected failure with a ready-made message. */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = EXIT_ERROR, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Thrown when the reader of stdout went away (EPIPE): the command stops, exit 0. */
export class StdoutClosed extends Error {
  constructor() {
    super('stdout closed');
    this.name = 'StdoutClosed';
  }
}

/** Where in an input a problem is: 1-based line, 0-based byte offset, 1-based record. */
export interface InputLocation {
  line?: number | undefined;
  offset?: number | undefined;
  record?: number | undefined;
}

/** Malformed build input: `<file>:<line>: <what> (byte offset N)`. */
export class InputError extends CliError {
  readonly file: string;
  readonly location: InputLocation;
  constructor(file: string, location: InputLocation, what: string, options?: { cause?: unknown }) {
    super(formatInputMessage(file, location, what), EXIT_ERROR, options);
    this.name = 'InputError';
    this.file = file;
    this.location = location;
  }
}

function formatInputMessage(file: string, loc: InputLocation, what: string): string {
  const head = loc.line !== undefined ? `${file}:${loc.line}` : file;
  const extra: string[] = [];
  if (loc.record !== undefined) extra.push(`record ${loc.record}`);
  if (loc.offset !== undefined) extra.push(`byte offset ${loc.offset}`);
  return `${head}: ${what}${extra.length > 0 ? ` (${extra.join(', ')})` : ''}`;
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOTDIR: 'a component of the path is not a directory',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
  EEXIST: 'file already exists',
  EIO: 'input/output error',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  ENOTFOUND: 'host name not found',
};

function errnoCode(err: unknown): string | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/** A system error as `<path>: <reason> (<CODE>)`, naming `path` instead of the one in the error. */
export function describeSystemError(err: unknown, path?: string): string | undefined {
  const code = errnoCode(err);
  if (code === undefined) return undefined;
  const e = err as NodeJS.ErrnoException;
  const where = path ?? (typeof e.path === 'string' ? e.path : undefined);
  const reason = ERRNO_TEXT[code] ?? e.message.replace(/^E[A-Z0-9]+: /, '').replace(/,.*$/, '');
  return `${where !== undefined ? `${where}: ` : ''}${reason} (${code})`;
}

/** Wraps a system error so that the message names `path` (e.g. the target, not its temp file). */
export function systemError(err: unknown, path: string, action?: string): unknown {
  const text = describeSystemError(err, path);
  if (text === undefined) return err;
  return new CliError(action !== undefined ? `cannot ${action} ${text}` : text, EXIT_ERROR, { cause: err });
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const d = env['DEBUG'] ?? '';
  return /(^|,)\s*(mmcdb|cdb|\*)\s*(,|$)/.test(d);
}

/** The one-line message and exit code for any error a command threw. */
export function describeError(err: unknown): { message: string; exitCode: number; expected: boolean } {
  if (err instanceof CliError) return { message: err.message, exitCode: err.exitCode, expected: true };
  if (isCdbError(err)) {
    // Lead with the file; err.reason is the message without its "(path, offset N)".
    const bare = err.reason;
    const where = err.offset !== undefined ? ` at offset ${err.offset}` : '';
    const file = err.path !== undefined ? `${err.path}: ` : '';
    return { message: `${file}${bare} [${err.code}${where}]`, exitCode: EXIT_ERROR, expected: true };
  }
  const sys = describeSystemError(err);
  if (sys !== undefined) return { message: sys, exitCode: EXIT_ERROR, expected: true };
  if (err instanceof RangeError || err instanceof TypeError) {
    // Option values core refused (e.g. format 'classic' with --align): not a crash.
    return { message: err.message, exitCode: EXIT_ERROR, expected: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { message: `internal error: ${message}`, exitCode: EXIT_ERROR, expected: false };
}

/** Prints the error (one line, `cdb <command>: …`) on `io.stderr` and returns the exit code. */
export function reportError(err: unknown, command: string | undefined, io: Pick<Io, 'stderr' | 'env'>): number {
  if (err instanceof StdoutClosed) return EXIT_OK; // the reader of stdout went away: not an error
  const { message, exitCode, expected } = describeError(err);
  const prefix = command !== undefined ? `cdb ${command}: ` : 'cdb: ';
  const debug = debugEnabled(io.env);
  const hint = !expected && !debug ? ' (set DEBUG=mmcdb for a stack trace)' : '';
  safeWrite(io.stderr, `${prefix}${oneLine(message)}${hint}\n`);
  if (debug && err instanceof Error && err.stack !== undefined) safeWrite(io.stderr, `${err.stack}\n`);
  return exitCode;
}

/** A write to stderr that cannot throw (stderr itself may be a closed pipe). */
export function safeWrite(stream: NodeJS.WritableStream, text: string): void {
  try {
    stream.write(text);
  } catch {
    // nowhere left to report it
  }
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
