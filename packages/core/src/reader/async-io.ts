// How the mmap backend runs getAsync()/getManyAsync() (docs/api.md §asyncIo): the open
// option `asyncIo` (or MMCDB_ASYNC_IO), and the order 'auto' tries. Only the mmap backend
// has a choice; the TypeScript engines answer on the main thread, in slices.
import type { AsyncIo, AsyncIoState } from '../util/kinds.js';
import { testHooks } from '../util/test-hooks.js';

export type { AsyncIo, AsyncIoState };
export type AsyncIoChoice = AsyncIo | 'auto';

/**
 * What 'auto' tries, first choice first: the fastest path measured on this machine class
 * (bench/RESULTS.md §mmap, pread or io_uring). The one constant to change when a new
 * measurement says otherwise. io_uring first since its walk checks residency per 512 KiB
 * chunk and walks keys in prefetching groups: in the same runs (10m-100b) it matched
 * 'willneed' on cold batches, beat it warm, and ran many concurrent single getAsync()
 * calls at 1.8-2.6x its rate (§Async I/O paths). Where seccomp, the kernel or the build
 * refuse a ring, 'willneed' follows (asyncFallbackReason says why). The ring is made on
 * a reader's first async call, never at open (CVE-2024-22017: docs/RELIABILITY.md
 * §io_uring). 'threadpool' always works and ends the list.
 */
export const AUTO_ASYNC_IO: readonly AsyncIo[] = ['uring', 'willneed', 'threadpool'];

/** Default io_uring queue depth (reads in flight per reader): at 64 cold batches ran at half the threadpool's rate here, at 256 at 0.7–1.0×. */
export const DEFAULT_QUEUE_DEPTH = 256;
export const MAX_QUEUE_DEPTH = 4096;

const CHOICES: readonly AsyncIoChoice[] = ['auto', 'uring', 'willneed', 'threadpool'];

/** The checked choice: the option, else MMCDB_ASYNC_IO, else 'auto'. */
export function resolveAsyncIo(option: unknown): AsyncIoChoice {
  const fromEnv = process.env['MMCDB_ASYNC_IO'];
  const choice = option ?? (fromEnv === undefined || fromEnv === '' ? 'auto' : fromEnv);
  if (!CHOICES.includes(choice as AsyncIoChoice)) {
    const where = option === undefined ? 'MMCDB_ASYNC_IO' : 'asyncIo';
    throw new RangeError(`${where} must be one of ${CHOICES.join(', ')}; got ${String(choice)}`);
  }
  return choice as AsyncIoChoice;
}

/** The checked queue depth (an integer from 1 to 4096; default 256). */
export function resolveQueueDepth(option: unknown): number {
  if (option === undefined) return DEFAULT_QUEUE_DEPTH;
  if (typeof option !== 'number' || !Number.isInteger(option) || option < 1 || option > MAX_QUEUE_DEPTH) {
    throw new RangeError(`queueDepth must be an integer from 1 to ${MAX_QUEUE_DEPTH}, got ${String(option)}`);
  }
  return option;
}

export interface AsyncIoOptions {
  asyncIo: AsyncIoChoice;
  queueDepth: number;
}

/**
 * Picks the path for `choice`: `tryUring` starts the reader's ring and returns undefined,
 * or says why it cannot. An explicit 'uring' that cannot start throws (the caller turns
 * it into ERR_CDB_BACKEND); 'auto' walks AUTO_ASYNC_IO and keeps the first reason.
 */
export function pickAsyncIo(choice: AsyncIoChoice, tryUring: () => string | undefined): AsyncIoState | string {
  if (choice === 'willneed' || choice === 'threadpool') return { mode: choice, fallbackReason: undefined };
  if (choice === 'uring') {
    const why = tryUring();
    return why === undefined ? { mode: 'uring', fallbackReason: undefined } : why;
  }
  let reason: string | undefined;
  for (const mode of testHooks.asyncIoOrder ?? AUTO_ASYNC_IO) {
    const why = mode === 'uring' ? tryUring() : undefined;
    if (why === undefined) return { mode, fallbackReason: reason };
    reason ??= `${mode}: ${why}`;
  }
  return { mode: 'threadpool', fallbackReason: reason };
}
