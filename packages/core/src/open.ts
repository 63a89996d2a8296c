// openSync()/open(): picks the backend and the format (mmcdb, or classic cdb).
import * as fs from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import type { Advice, Backend, Engine } from './engine.js';
import { CdbError } from './errors.js';
import { decodeHeader, HEADER_SIZE, hasMagic } from './format.js';
import { MmcdbEngine } from './mmcdb-engine.js';
import { Reader } from './reader.js';
import { MemorySource, PreadSource, type ByteSource } from './source.js';
import { loadNative } from './native-engine.js';
import { openClassicEngine } from './classic/engine.js';

export type BackendChoice = Backend | 'auto';

export interface OpenOptions {
  /**
   * 'auto' (default): mmap when the native addon loads, otherwise memory for files up to
   * 512 MiB and pread beyond. The MMCDB_BACKEND environment variable sets the default.
   */
  backend?: BackendChoice;
  /**
   * mmap only: how the kernel should read ahead. 'random' (default) suits point lookups:
   * a cold get() faults in one page instead of a readahead window; 'sequential' suits
   * full scans; 'normal' is the kernel's default.
   */
  advice?: Advice;
}

const MEMORY_LIMIT = 512 * 1024 * 1024;
const MAX_LENGTH = bufferConstants.MAX_LENGTH;
const BACKENDS: readonly BackendChoice[] = ['auto', 'mmap', 'memory', 'pread'];

export function resolveBackend(options: OpenOptions): BackendChoice {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const fromEnv = process.env['MMCDB_BACKEND'];
  const choice = options.backend ?? (fromEnv === undefined || fromEnv === '' ? 'auto' : (fromEnv as BackendChoice));
  if (!BACKENDS.includes(choice)) {
    const where = options.backend === undefined ? 'MMCDB_BACKEND' : 'backend';
    throw new RangeError(`${where} must be one of ${BACKENDS.join(', ')}; got ${String(choice)}`);
  }
  return choice;
}

/** Opens a database synchronously. Throws CdbError for files that are not sound databases. */
export function openSync(path: string, options: OpenOptions = {}): Reader {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  const choice = resolveBackend(options);
  const advice = options.advice ?? 'random';
  if (advice !== 'random' && advice !== 'sequential' && advice !== 'normal') {
    throw new RangeError(`advice must be 'random', 'sequential' or 'normal', got ${String(advice)}`);
  }
  let fallbackReason: string | undefined;
  if (choice === 'mmap' || choice === 'auto') {
    const native = loadNative();
    if (native.ok) return new Reader(native.open(path, advice), path, undefined);
    if (choice === 'mmap') {
      throw new CdbError('ERR_CDB_BACKEND', `the mmap backend is not available: ${native.reason}`, { path });
    }
    fallbackReason = native.reason;
  }
  const fd = fs.openSync(path, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const backend: Backend = choice === 'pread' || (choice === 'auto' && size > MEMORY_LIMIT) ? 'pread' : 'memory';
    if (backend === 'memory' && size > MAX_LENGTH) {
      // Node 20 cannot allocate one Buffer this large; say so instead of Node's bare RangeError.
      throw new CdbError(
        'ERR_CDB_BACKEND',
        `the memory backend cannot hold this file: ${size} bytes is more than the largest Buffer (${MAX_LENGTH} bytes); use backend 'mmap' or 'pread'`,
        { path },
      );
    }
    const src: ByteSource = backend === 'memory' ? MemorySource.fromFile(fd, size) : new PreadSource(fd, size);
    if (backend === 'memory') fs.closeSync(fd);
    const engine = openEngine(src, backend, path);
    return new Reader(engine, path, fallbackReason);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed (memory backend)
    }
    throw err;
  }
}

/** Opens a database; resolves to the same Reader as openSync(). */
export async function open(path: string, options: OpenOptions = {}): Promise<Reader> {
  return openSync(path, options);
}

function openEngine(src: ByteSource, backend: Backend, path: string): Engine {
  const head = Buffer.alloc(Math.min(HEADER_SIZE, src.size));
  if (head.length > 0) head.set(src.bytes(0, head.length));
  if (hasMagic(head)) {
    return new MmcdbEngine(src, decodeHeader(head, src.size, path), backend, path);
  }
  return openClassicEngine(src, backend, path);
}

