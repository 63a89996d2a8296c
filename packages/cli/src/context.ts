// What every command gets from main(): the streams it talks through (injectable, so
// tests can run commands in-process) and how to register an action whose result
// becomes the exit code. Its own module so that main.ts and commands/* do not import
// each other.
import type { BackendChoice } from '@mmcdb/core';

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; writableNeedDrain?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

export function processIo(): Io {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

export interface Context {
  readonly io: Io;
  /** Wraps a command's action: its result (or its error) becomes the exit code. */
  action<A extends unknown[]>(name: string, fn: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
  /** The global --backend, if given (else core's default: MMCDB_BACKEND or auto). */
  backend(): BackendChoice | undefined;
}
