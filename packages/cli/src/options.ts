// Option parsers shared by the commands (commander argParser functions throw
// InvalidArgumentError, which commander reports as a usage error: exit 2).
import * as fs from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { locateSet, openSync, type BackendChoice, type Reader } from '@mmcdb/core';
import { CliError, EXIT_USAGE, systemError } from './errors.js';
import type { TextEncoding } from './input/values.js';
import { argvKey } from './keys-input.js';

export const BACKENDS = ['auto', 'mmap', 'memory', 'pread'] as const;
export const KEY_ENCODINGS = ['utf8', 'hex', 'base64'] as const;

/**
 * MMCDB_BACKEND, when set and not empty, must name a backend: a misspelt one is a usage
 * error for every command (exit 2), not a failure of only those that open a database.
 */
export function checkBackendEnv(env: NodeJS.ProcessEnv): void {
  const value = env['MMCDB_BACKEND'];
  if (value === undefined || value === '' || (BACKENDS as readonly string[]).includes(value)) return;
  throw new CliError(`MMCDB_BACKEND=${value} is not a backend: expected one of ${BACKENDS.join(', ')} (or unset it)`, EXIT_USAGE);
}

export function parseSeed(value: string): bigint | 'random' {
  if (value === 'random') return 'random';
  if (/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) {
    const n = BigInt(value);
    if (n < 2n ** 64n) return n;
  }
  throw new InvalidArgumentError('expected a number below 2^64 (decimal or 0x hex) or "random"');
}

export function parseAlign(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65536 || (n & (n - 1)) !== 0) {
    throw new InvalidArgumentError('expected a power of two from 1 to 65536');
  }
  return n;
}

export function parsePositiveInt(value: string): number {
  const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** `--metadata <json>` or `--metadata @file`: the parsed JSON value. */
export function loadMetadata(spec: string): unknown {
  if (spec.startsWith('@')) {
    const file = spec.slice(1);
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw systemError(err, file, 'read the metadata file');
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new CliError(`${file}: the metadata file is not valid JSON: ${(err as Error).message}`);
    }
  }
  try {
    return JSON.parse(spec);
  } catch (err) {
    throw new CliError(`--metadata: expected JSON text or @file, got invalid JSON: ${(err as Error).message}`, EXIT_USAGE);
  }
}

/** A key given on the command line, decoded from `encoding` (keys-input.ts). */
export function decodeKey(key: string, encoding: TextEncoding): Buffer {
  return argvKey(key, encoding);
}

/** Opens a database for reading; errors name the file. */
export function openDb(path: string, backend: BackendChoice | undefined, advice?: 'random' | 'sequential'): Reader {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (err) {
    throw systemError(err, path, 'open');
  }
  if (st.isDirectory() && !isSet(path)) throw notASet(path);
  try {
    return openSync(path, { ...(backend !== undefined && { backend }), ...(advice !== undefined && { advice }) });
  } catch (err) {
    throw systemError(err, path, 'open');
  }
}

/** The same checks as openDb for commands that hand a path to core directly. */
export function checkDbPath(path: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch (err) {
    throw systemError(err, path, 'open');
  }
  if (st.isDirectory() && !isSet(path)) throw notASet(path);
}

/** A sharded set's folder (CURRENT) or version folder (manifest.json): docs/SHARDS.md. */
function isSet(path: string): boolean {
  try {
    return locateSet(path) !== undefined;
  } catch (err) {
    throw systemError(err, path, 'open');
  }
}

function notASet(path: string): CliError {
  // The errno as the cause, so that verify --json reports error.code EISDIR.
  const cause = Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${path}'`), { code: 'EISDIR', path });
  return new CliError(
    `cannot open ${path}: is a directory (EISDIR), and not a sharded set (no CURRENT or manifest.json)`,
    undefined,
    { cause },
  );
}
