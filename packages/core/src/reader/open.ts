// openSync()/open(): picks the backend (the native mapping, or a TypeScript engine over
// a file source) and, through the engine, the format (mmcdb, or classic cdb); a sharded
// set (docs/SHARDS.md) gets the set engine (sharded/set-engine.ts) over its shards.
import type { Advice, Backend, Engine } from '../format/engine.js';
import { hashReady } from '../util/hash.js';
import { CdbError } from '../util/errors.js';
import { openFileSource } from '../source/file.js';
import { PreadSource } from '../source/pread.js';
import { openEngine } from '../format/open-engine.js';
import { locateSet } from '../format/sharded/versions.js';
import { loadNative } from './native-engine.js';
import { attachAsyncReads } from './pread-async.js';
import { Reader } from './reader.js';
import { openSetEngine } from './sharded/set-engine.js';
import { resolveAsyncIo, resolveQueueDepth, type AsyncIoChoice, type AsyncIoOptions } from './async-io.js';

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
  /** Sharded sets: shards kept open at once (default: from the open-file limit, at most 1024). */
  maxOpenShards?: number;
  /**
   * mmap only: how getAsync/getManyAsync read cold pages — 'uring' (io_uring reads from
   * the main thread), 'willneed' (batched MADV_WILLNEED on a worker), 'threadpool', or
   * 'auto' (default: the fastest available; reader.asyncIo tells which). The
   * MMCDB_ASYNC_IO environment variable sets the default.
   */
  asyncIo?: AsyncIoChoice;
  /** asyncIo 'uring': reads in flight per reader (1–4096, default 256). */
  queueDepth?: number;
}

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

/**
 * Opens a database synchronously: one file, or a sharded set (a set folder, whose
 * CURRENT is followed, a version folder or its manifest.json: docs/SHARDS.md). Throws
 * CdbError for files that are not sound databases.
 */
export function openSync(path: string, options: OpenOptions = {}): Reader {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  const choice = resolveBackend(options);
  const advice = options.advice ?? 'random';
  if (advice !== 'random' && advice !== 'sequential' && advice !== 'normal') {
    throw new RangeError(`advice must be 'random', 'sequential' or 'normal', got ${String(advice)}`);
  }
  const io: AsyncIoOptions = { asyncIo: resolveAsyncIo(options.asyncIo), queueDepth: resolveQueueDepth(options.queueDepth) };
  const set = locateSet(path);
  if (set !== undefined) {
    const native = choice === 'mmap' || choice === 'auto' ? loadNative() : undefined;
    if (choice === 'mmap' && native?.ok === false) {
      throw new CdbError('ERR_CDB_BACKEND', `the mmap backend is not available: ${native.reason}`, { path });
    }
    const open = (file: string, backend: Backend) => openFileEngine(file, backend, advice, io).engine;
    const engine = openSetEngine(path, set, native?.ok === true ? 'mmap' : choice, open, options.maxOpenShards);
    return new Reader(engine, path, native?.ok === false ? native.reason : undefined);
  }
  const { engine, fallbackReason } = openFileEngine(path, choice, advice, io);
  return new Reader(engine, path, fallbackReason);
}

/** One file's engine for a backend choice (the native mapping, or a TypeScript engine over a file source). */
function openFileEngine(
  path: string,
  choice: BackendChoice,
  advice: Advice,
  io: AsyncIoOptions,
): { engine: Engine; fallbackReason: string | undefined } {
  let fallbackReason: string | undefined;
  if (choice === 'mmap' || choice === 'auto') {
    const native = loadNative();
    if (native.ok) return { engine: native.open(path, advice, io), fallbackReason: undefined };
    if (choice === 'mmap') {
      throw new CdbError('ERR_CDB_BACKEND', `the mmap backend is not available: ${native.reason}`, { path });
    }
    fallbackReason = native.reason;
  }
  const { source, backend } = openFileSource(path, choice === 'pread' ? 'pread' : choice === 'memory' ? 'memory' : 'auto');
  try {
    const engine = openEngine(source, backend, path);
    if (source instanceof PreadSource) attachAsyncReads(engine, source, path);
    return { engine, fallbackReason };
  } catch (err) {
    source.close();
    throw err;
  }
}

/** Opens a database; resolves to the same Reader as openSync() (with the fast hash ready). */
export async function open(path: string, options: OpenOptions = {}): Promise<Reader> {
  await hashReady;
  return openSync(path, options);
}
