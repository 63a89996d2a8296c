// The messages between a set build's main thread (pool.ts) and its workers (worker.ts).
import { CdbError, type CdbErrorCode } from '../../util/errors.js';
import type { DuplicatePolicy } from '../writer-options.js';
import type { Layout } from './regions.js';

/** The writer options a worker gets (no callbacks or signals cross threads). */
export interface WorkerWriterOptions {
  format: 'mmcdb' | 'classic';
  /** mmcdb only (with valueAlign and load). */
  seed?: bigint;
  duplicates: DuplicatePolicy;
  valueAlign?: number;
  load?: number;
  fsync: boolean;
  mode?: number;
  maxProbeWarning?: number;
}

export interface WorkerData {
  /** The version folder the shard files go to. */
  dir: string;
  set: string;
  /** Partition seed and shard count of the set. */
  seed: bigint;
  shards: number;
  /** The wave's first shard (region r of a buffer is shard first + r). */
  first: number;
  /** This worker's shards: [from, to). */
  from: number;
  to: number;
  ctrl: Int32Array;
  writer: WorkerWriterOptions;
}

export type ToWorker =
  | { type: 'batch'; index: number; sab: SharedArrayBuffer; layout: Layout; used: Float64Array; records: Float64Array }
  | { type: 'big'; shard: number; key: Uint8Array; value: Uint8Array }
  | { type: 'finish' }
  | { type: 'abort'; reason: string };

export interface ShardResult {
  shard: number;
  records: number;
  bytes: number;
  checksum: bigint;
}

export interface WireError {
  name: string;
  message: string;
  code?: string;
  reason?: string;
  path?: string;
  offset?: number;
  errno?: number;
  syscall?: string;
  stack?: string;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'warning'; message: string }
  | { type: 'finished'; results: ShardResult[] }
  | { type: 'aborted' }
  | { type: 'error'; error: WireError };

export function serializeError(err: unknown): WireError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & Partial<WireError>;
  const out: WireError = { name: e.name, message: e.message };
  if (err instanceof CdbError) {
    out.reason = err.reason;
    if (err.path !== undefined) out.path = err.path;
    if (err.offset !== undefined) out.offset = err.offset;
  } else if (typeof e.path === 'string') out.path = e.path;
  if (typeof e.code === 'string') out.code = e.code;
  if (typeof e.errno === 'number') out.errno = e.errno;
  if (typeof e.syscall === 'string') out.syscall = e.syscall;
  if (e.stack !== undefined) out.stack = e.stack;
  return out;
}

/** The worker's error as the same kind of error on this thread (CdbError, RangeError, a system error …). */
export function deserializeError(w: WireError): Error {
  if (w.name === 'CdbError' && w.code !== undefined) {
    return new CdbError(w.code as CdbErrorCode, w.reason ?? w.message, {
      ...(w.path !== undefined && { path: w.path }),
      ...(w.offset !== undefined && { offset: w.offset }),
    });
  }
  const Ctor = w.name === 'TypeError' ? TypeError : w.name === 'RangeError' ? RangeError : Error;
  const err = new Ctor(w.message) as Error & Partial<WireError>;
  for (const k of ['code', 'errno', 'syscall', 'path'] as const)
    if (w[k] !== undefined) (err as unknown as Record<string, unknown>)[k] = w[k];
  if (w.stack !== undefined) err.stack = w.stack;
  return err;
}
