// Option parsers shared by the commands (commander argParser functions throw
// InvalidArgumentError, which commander reports as a usage error: exit 2).
import * as fs from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { locateSet, openSync, type BackendChoice, type Reader } from '@mmcdb/core';
import { CliError, EXIT_USAGE, systemError } from './errors.js';
import { decodeText, type TextEncoding } from './input/values.js';

export const BACKENDS = ['auto', 'mmap', 'memory', 'pread'] as const;
export const KEY_ENCODINGS = ['utf8', 'hex', 'base64'] as const;

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

/** A key given on the command line, decoded from `encoding`. */
export function decodeKey(key: string, encoding: TextEncoding): Buffer {
  const bytes = decodeText(key, encoding);
  if (bytes === undefined) throw new CliError(`the key is not valid ${encoding}: ${JSON.stringify(key)}`, EXIT_USAGE);
  return bytes;
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
  return new CliError(`cannot open ${path}: is a directory (EISDIR), and not a sharded set (no CURRENT or manifest.json)`);
}
