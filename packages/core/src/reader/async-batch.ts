// The shared shape of every getManyAsync (docs/api.md): the batch is cut into slices,
// one started per event-loop turn and one resolved into values per turn, so that no
// batch, whatever its size, holds the event loop for long (reading 20,000 keys into the
// addon took 4.7–7 ms in one call; their views another 2–6 ms). An AbortSignal is looked
// at between slices and while a slice is in flight: the batch then rejects with an
// AbortError, sets the cancel flag the addon reads (its jobs stop early) and drops what
// comes back; the reader stays usable.
import type { Bytes } from '../util/bytes.js';
import type { StartSlice } from '../util/kinds.js';

export type { StartSlice };

/**
 * Keys per slice when each slice is one call into the addon (~0.25 ms to hand over, ~0.15 ms
 * of views). A loop turn of a big cold batch holds one slice's hand-over, one's views and the
 * ring's turn: 2,048-key slices made that 2.7–4.5 ms for one cold getManyAsync(20,000), 1,024
 * made it 2.5–3.1 ms at the same throughput (the disk's), measured.
 */
export const NATIVE_SLICE_KEYS = 1024;
/** Keys per slice of the TypeScript engines, which answer on the main thread (pread: a few µs a key). */
export const SYNC_SLICE_KEYS = 256;

export type Values = (Buffer | undefined)[];

/** The options getAsync()/getManyAsync() take. */
export interface AsyncCallOptions {
  /** Rejects the call with an AbortError (DOMException) once aborted. */
  signal?: AbortSignal;
}

/** The AbortError a call rejects with: the signal's reason when it is one, else a new DOMException. */
export function abortError(signal: AbortSignal): unknown {
  const r: unknown = signal.reason;
  if (r instanceof Error && r.name === 'AbortError') return r;
  return new DOMException('The operation was aborted', 'AbortError');
}

export function checkSignal(options: AsyncCallOptions | undefined): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const s = options.signal;
  if (s === undefined) return undefined;
  if (typeof s !== 'object' || s === null || typeof (s as AbortSignal).aborted !== 'boolean') {
    throw new TypeError('signal must be an AbortSignal');
  }
  return s;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Slices a counter can see (tests: test/core/reader/async-batch.test.ts): incremented once per slice resolved. */
export const sliceStats = { resolved: 0 };

/**
 * Runs `keys` through `start` in slices of `size`: slice i is started in turn i and
 * resolved in a turn of its own. Rejects with an AbortError when `signal` aborts.
 */
export async function sliced(keys: readonly Bytes[], size: number, start: StartSlice, signal?: AbortSignal): Promise<Values> {
  if (signal?.aborted) throw abortError(signal);
  if (signal === undefined && keys.length <= size) {
    // One slice and nothing to race: no parts list, no copy of the values (warm batches
    // of 64 keys spent a third of their time in this function's general path), and no
    // cancel flag (nothing can set it; the addon then keeps no reference to one).
    const finish = await start(keys.slice(), undefined);
    sliceStats.resolved++;
    return finish();
  }
  const cancel = new Int32Array(1);
  const parts: Promise<() => Values>[] = [];
  let onAbort: (() => void) | undefined;
  const aborted =
    signal === undefined
      ? undefined
      : new Promise<never>((_, reject) => {
          onAbort = () => {
            cancel[0] = 1;
            reject(abortError(signal));
          };
          signal.addEventListener('abort', onAbort, { once: true });
        });
  aborted?.catch(() => undefined);
  const race = <T>(p: Promise<T>): Promise<T> => (aborted === undefined ? p : Promise.race([p, aborted]));
  try {
    for (let at = 0; at < keys.length || at === 0; at += size) {
      if (at > 0) await race(nextTurn());
      const p = start(keys.slice(at, at + size), cancel);
      p.catch(() => undefined); // a later slice's failure is seen when its turn comes
      parts.push(p);
      if (keys.length === 0) break;
    }
    const values: Values = new Array(keys.length);
    let filled = 0;
    for (let i = 0; i < parts.length; i++) {
      const finish = await race(parts[i]!);
      if (i > 0) await race(nextTurn());
      const part = finish();
      for (let j = 0; j < part.length; j++) values[filled + j] = part[j];
      filled += part.length;
      sliceStats.resolved++;
    }
    return values;
  } catch (err) {
    cancel[0] = 1; // the other slices in flight stop early
    throw err;
  } finally {
    if (onAbort !== undefined) signal!.removeEventListener('abort', onAbort);
  }
}

/** A StartSlice over a synchronous get(): the lookups run when the slice is resolved. */
export function syncSlices(get: (key: Bytes) => Buffer | undefined): StartSlice {
  return (keys) => Promise.resolve(() => keys.map(get));
}
