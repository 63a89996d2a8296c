// What every writer shares: the temp file published atomically, the open/finished/failed
// state, and the AbortSignal. The format writers (format/mmcdb/writer.ts,
// format/classic/writer.ts) only decide which bytes to write.
import { CdbError } from '../util/errors.js';
import { AtomicFile } from './atomic-file.js';
import { crashPoint, type CrashStep } from './crash-point.js';

export class BuildSession {
  readonly file: AtomicFile;
  readonly started = performance.now();
  readonly #signal: AbortSignal | undefined;
  #state: 'open' | 'finished' | 'failed' = 'open';

  constructor(path: string, options: { mode: number | undefined; fsync: boolean; signal: AbortSignal | undefined }) {
    if (options.signal?.aborted) throw abortError(options.signal.reason);
    this.file = new AtomicFile(path, { ...(options.mode !== undefined && { mode: options.mode }), fsync: options.fsync });
    this.#signal = options.signal;
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  readonly #onAbort = (): void => this.abort();

  /** Throws ERR_CDB_ABORTED or ERR_CDB_CLOSED unless the build is still open. */
  checkOpen(): void {
    if (this.#state === 'open') return;
    if (this.#signal?.aborted) throw abortError(this.#signal.reason);
    throw new CdbError('ERR_CDB_CLOSED', `writer is already ${this.#state === 'finished' ? 'finished' : 'aborted'}`, {
      path: this.file.target,
    });
  }

  /** Runs one step of the build; an error aborts the whole build (temp file removed) and is rethrown. */
  step<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      this.abort();
      throw err;
    }
  }

  /**
   * Test hook (docs/RELIABILITY.md §Crash-safe builds): when MMCDB_CRASH_AT names this
   * step, the process kills itself here with SIGKILL, so that a test can check what a
   * crash at exactly this point leaves behind.
   */
  crashPoint(step: CrashStep): void {
    crashPoint(step);
  }

  /** Publishes the temp file over the target (fsync, rename, fsync the folder). */
  commit(): void {
    this.file.commit();
    this.#state = 'finished';
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  /** Removes the temp file; the target is untouched. Idempotent. */
  abort(): void {
    if (this.#state !== 'open') return;
    this.#state = 'failed';
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.file.abort();
  }

  get seconds(): number {
    return (performance.now() - this.started) / 1000;
  }
}

export function abortError(reason: unknown): CdbError {
  return new CdbError('ERR_CDB_ABORTED', 'build aborted', { cause: reason });
}

/** The start of a key for error messages. */
export function preview(key: Uint8Array): string {
  const s = Buffer.from(key.subarray(0, 64)).toString('utf8');
  return key.length > 64 ? `${s}…` : s;
}

