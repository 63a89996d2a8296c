// The reads behind the pread backend's getManyAsync (reader/pread-async.ts): many byte
// ranges of one descriptor, answered without ever holding the event loop long. A read
// from the page cache costs a few µs as a system call but ~20 µs of CPU as a trip through
// libuv's threadpool, and four pool threads busy with such trips starve the JS thread on
// 2 vCPUs (8 ms stalls measured, warm 10m-100b); a read from the disk blocks for 0.1 ms or
// far more. So ranges are read synchronously while reads come back fast, at most
// TURN_BUDGET_MS of an event-loop turn (the rest wait for the next turn); two of the last
// 16 slower than COLD_READ_MS send the rest, and every read for RETRY_SYNC_MS after them
// (doubling while the disk keeps showing), through fs.read on the threadpool, at most
// asyncReadLimit() queued.
import * as fs from 'node:fs';
import { testHooks } from '../util/test-hooks.js';

/** A byte range [start, end) of the file. */
export interface FileRange {
  start: number;
  end: number;
}

/** A read slower than this (ms) came from the disk, not the page cache, or lost the CPU. */
const COLD_READ_MS = 0.1;
/** Slow reads among the last 16 that tell the disk: a page-cache read that loses the CPU is rare, twice rarer. */
const SLOW_READS = 2;
/** Synchronous reads stop this long (ms) after the turn's first one began; the rest wait for the next turn. */
const TURN_BUDGET_MS = 1;
/**
 * After the disk showed, reads go through the threadpool this long (ms) before some are
 * tried synchronously again; each try that finds the disk again doubles the wait, up to
 * RETRY_SYNC_MAX_MS. A try costs the reads it blocks on: every 50 ms, a quarter of a cold
 * run's lookups (15.7k/s against 20.6k/s never trying, 10m-100b).
 */
const RETRY_SYNC_MS = 50;
const RETRY_SYNC_MAX_MS = 1000;
/** Ranges longer than this always go to the threadpool: read cold, one would block the loop for milliseconds. */
const SYNC_MAX_BYTES = 64 * 1024;
/** Reads up to OWN_BUFFER_OVER bytes share slabs of this size (take()). */
const SLAB = 256 * 1024;
/** Reads longer than this get a Buffer of their own, which a caller may keep (pread-async.ts: whole values). */
export const OWN_BUFFER_OVER = SLAB / 8;

/**
 * Reads on the threadpool kept in libuv's queue at once, per source: two per pool thread
 * keep every thread busy; more would only wait in the queue, ahead of the process's other
 * fs and dns work.
 */
export function asyncReadLimit(): number {
  const pool = Number(process.env['UV_THREADPOOL_SIZE']);
  return 2 * (Number.isInteger(pool) && pool >= 1 ? Math.min(pool, 1024) : 4);
}

/**
 * When this event-loop turn's first synchronous read started (performance.now()), for
 * every source; undefined until one does. The budget is wall time from there, so the
 * lookups' own work between reads (and the caller's, between awaits) counts too.
 */
let turnStart: number | undefined;
function turnElapsed(now: number): number {
  if (turnStart === undefined) {
    turnStart = now;
    setImmediate(() => {
      turnStart = undefined;
    });
  }
  return now - turnStart;
}
function popcount16(v: number): number {
  let n = 0;
  for (let b = v; b !== 0; b &= b - 1) n++;
  return n;
}
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const abortError = (): DOMException => new DOMException('The operation was aborted', 'AbortError');

/** The reads of one read() call still to answer. */
interface Round {
  readonly out: Buffer[];
  readonly cancel: Int32Array | undefined;
  left: number;
  failed: boolean;
  resolve(out: Buffer[]): void;
  reject(err: unknown): void;
}

interface ReadJob {
  readonly round: Round;
  readonly index: number;
  readonly pos: number;
  readonly len: number;
  /** Made when the read starts: a big batch queues thousands of reads, their buffers should not wait with them. */
  buf: Buffer | undefined;
  /** Bytes read so far. */
  got: number;
}

export class RangeReads {
  readonly #fd: number;
  /** The error for a file that ends at `at`, inside a range. */
  readonly #truncated: (at: number) => Error;
  readonly #limit = asyncReadLimit();
  /** Threadpool reads not yet started (from #head on), and how many are out. */
  readonly #queue: ReadJob[] = [];
  #head = 0;
  #inFlight = 0;
  /** performance.now() before which reads go to the threadpool, and the wait after the next switch. */
  #asyncUntil = 0;
  #retryMs = RETRY_SYNC_MS;
  /** Synchronous reads in a row that were fast. */
  #fastRun = 0;
  /** Which of the last 16 synchronous reads were slower than COLD_READ_MS (bit 0: the last). */
  #slowBits = 0;
  #slab = Buffer.allocUnsafeSlow(0);
  #slabAt = SLAB; // full: the first take() makes a slab

  constructor(fd: number, truncated: (at: number) => Error) {
    this.#fd = fd;
    this.#truncated = truncated;
  }

  /**
   * The bytes of every range, each a Buffer of its own, in the order asked. Rejects with
   * the truncated error when the file ends inside a range, and with an AbortError once
   * cancel[0] is set (reads not yet started are dropped).
   */
  read(ranges: readonly FileRange[], cancel?: Int32Array): Promise<Buffer[]> {
    if (!testHooks.preadAsyncOnly && performance.now() >= this.#asyncUntil) return this.#readSync(ranges, cancel);
    return new Promise((resolve, reject) => this.#readAsync(ranges, 0, new Array(ranges.length), cancel, resolve, reject));
  }

  async #readSync(ranges: readonly FileRange[], cancel: Int32Array | undefined): Promise<Buffer[]> {
    const out: Buffer[] = new Array(ranges.length);
    const coldMs = testHooks.preadColdReadMs ?? COLD_READ_MS;
    for (let i = 0; i < ranges.length; i++) {
      let t0 = performance.now();
      // A loop: the turn this resumes in may be the one whose budget it waited out (its
      // reset runs after this continuation when both were queued in the same phase).
      while (turnElapsed(t0) > (testHooks.preadTurnBudgetMs ?? TURN_BUDGET_MS)) {
        await nextTurn();
        t0 = performance.now();
      }
      if (cancel !== undefined && cancel[0] !== 0) throw abortError();
      const r = ranges[i]!;
      if (r.end - r.start > SYNC_MAX_BYTES) {
        // A long read blocks long if it is cold, and costs its copy either way: the pool's.
        return new Promise((resolve, reject) => this.#readAsync(ranges, i, out, cancel, resolve, reject));
      }
      const buf = this.#take(r.end - r.start);
      let got = 0;
      while (got < buf.length) {
        const n = fs.readSync(this.#fd, buf, got, buf.length - got, r.start + got);
        if (n === 0) throw this.#truncated(r.start + got);
        got += n;
      }
      const ms = performance.now() - t0;
      out[i] = buf;
      // One slow read may be a preemption (the CPU taken away mid-call); two among the last
      // 16 are the disk (its read-ahead answers some of the reads between from memory).
      const slow = ms > coldMs;
      this.#slowBits = ((this.#slowBits << 1) | (slow ? 1 : 0)) & 0xffff;
      this.#fastRun = slow ? 0 : this.#fastRun + 1;
      if (this.#fastRun >= 16) this.#retryMs = RETRY_SYNC_MS; // warm again: the next switch waits the least
      if (popcount16(this.#slowBits) >= SLOW_READS) {
        this.#slowBits = 0;
        this.#asyncUntil = t0 + ms + this.#retryMs;
        this.#retryMs = Math.min(2 * this.#retryMs, RETRY_SYNC_MAX_MS);
        return new Promise((resolve, reject) => this.#readAsync(ranges, i + 1, out, cancel, resolve, reject));
      }
    }
    return out;
  }

  /** Queues ranges[from..] for the threadpool; out holds the ones before. */
  #readAsync(
    ranges: readonly FileRange[],
    from: number,
    out: Buffer[],
    cancel: Int32Array | undefined,
    resolve: (out: Buffer[]) => void,
    reject: (err: unknown) => void,
  ): void {
    const round: Round = { out, cancel, left: ranges.length - from, failed: false, resolve, reject };
    if (round.left === 0) {
      resolve(out);
      return;
    }
    for (let i = from; i < ranges.length; i++) {
      const r = ranges[i]!;
      if (r.end === r.start)
        this.#done(round, i, Buffer.alloc(0)); // fs.read refuses an empty buffer
      else this.#queue.push({ round, index: i, pos: r.start, len: r.end - r.start, buf: undefined, got: 0 });
    }
    this.#pump();
  }

  #done(round: Round, index: number, buf: Buffer): void {
    round.out[index] = buf;
    if (--round.left === 0) round.resolve(round.out);
  }

  #fail(round: Round, err: unknown): void {
    round.failed = true;
    round.reject(err);
  }

  /** Starts queued reads while fewer than the limit are out. */
  #pump(): void {
    while (this.#inFlight < this.#limit && this.#head < this.#queue.length) {
      const job = this.#queue[this.#head]!;
      this.#queue[this.#head++] = undefined as unknown as ReadJob;
      if (this.#head === this.#queue.length) {
        this.#queue.length = 0;
        this.#head = 0;
      }
      const round = job.round;
      if (round.failed) continue;
      if (round.cancel !== undefined && round.cancel[0] !== 0) {
        this.#fail(round, abortError());
        continue;
      }
      this.#inFlight++;
      this.#issue(job);
    }
  }

  #issue(job: ReadJob): void {
    const buf = (job.buf ??= this.#take(job.len));
    fs.read(this.#fd, buf, job.got, Math.min(job.len - job.got, 0x40000000), job.pos + job.got, (err, n) => {
      const round = job.round;
      if (err === null && n > 0 && job.got + n < job.len && !round.failed) {
        job.got += n; // a short read: the rest, in the same place in the queue
        this.#issue(job);
        return;
      }
      this.#inFlight--;
      if (!round.failed) {
        if (err !== null) this.#fail(round, err);
        else if (n === 0) this.#fail(round, this.#truncated(job.pos + job.got));
        else this.#done(round, job.index, buf);
      }
      this.#pump();
    });
  }

  /**
   * A buffer of `len` bytes carved from a slab: a read of its own ArrayBuffer each
   * (allocUnsafe past 4 KiB) cost 1.2 µs and much of a cold batch's GC time, profiled.
   * Slabs are never reused: one lives while any read's bytes (or a value) still point in.
   */
  #take(len: number): Buffer {
    if (len > OWN_BUFFER_OVER) return Buffer.allocUnsafe(len);
    if (this.#slabAt + len > SLAB) {
      this.#slab = Buffer.allocUnsafeSlow(SLAB);
      this.#slabAt = 0;
    }
    const b = this.#slab.subarray(this.#slabAt, this.#slabAt + len);
    this.#slabAt += (len + 7) & ~7;
    return b;
  }
}
