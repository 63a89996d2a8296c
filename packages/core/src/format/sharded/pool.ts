// The worker threads of one wave of a set build (docs/SHARDS.md §Building): shards
// [first, first + count) split into contiguous ranges, one per worker. The pool is the
// router's RegionSink: it passes full buffers on, and turns any worker failure (an
// error it reports, an exit before its results) into one error for the whole build.
import { Worker } from 'node:worker_threads';
import { CdbError } from '../../util/errors.js';
import type { RegionBuffer } from './regions.js';
import { FAILED, MAX_BUFFERS, type RegionSink } from './router.js';
import {
  deserializeError,
  type FromWorker,
  type ShardResult,
  type ToWorker,
  type WorkerData,
  type WorkerWriterOptions,
} from './protocol.js';

export interface PoolOptions {
  dir: string;
  set: string;
  seed: bigint;
  shards: number;
  first: number;
  count: number;
  workers: number;
  writer: WorkerWriterOptions;
  ctrl: Int32Array;
  onWarning: (message: string) => void;
}

interface Member {
  worker: Worker;
  from: number;
  to: number;
  results: ShardResult[] | undefined;
  exited: boolean;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

export class ShardPool implements RegionSink {
  readonly #members: Member[] = [];
  readonly #ctrl: Int32Array;
  #error: unknown;
  #finishing = false;
  #settle: (() => void) | undefined;

  constructor(o: PoolOptions) {
    this.#ctrl = o.ctrl;
    const n = Math.max(1, Math.min(o.workers, o.count));
    for (let w = 0; w < n; w++) {
      const from = o.first + Math.floor((w * o.count) / n);
      const to = o.first + Math.floor(((w + 1) * o.count) / n);
      const data: WorkerData = {
        dir: o.dir,
        set: o.set,
        seed: o.seed,
        shards: o.shards,
        first: o.first,
        from,
        to,
        ctrl: o.ctrl,
        writer: o.writer,
      };
      const worker = new Worker(WORKER_URL, { workerData: data });
      const m: Member = { worker, from, to, results: undefined, exited: false };
      worker.on('message', (msg: FromWorker) => {
        if (msg.type === 'error') this.#fail(deserializeError(msg.error));
        else if (msg.type === 'warning') o.onWarning(msg.message);
        else if (msg.type === 'finished') {
          m.results = msg.results;
          this.#settle?.();
        }
      });
      worker.on('error', (err) => this.#fail(err));
      worker.on('exit', (code) => {
        m.exited = true;
        if (m.results === undefined && !this.#finishing)
          this.#fail(new CdbError('ERR_CDB_ABORTED', `a shard worker exited (code ${code}) before its shards were built`));
        this.#settle?.();
      });
      this.#members.push(m);
    }
  }

  get consumers(): number {
    return this.#members.length;
  }

  failure(): unknown {
    return this.#error;
  }

  batch(index: number, buffer: RegionBuffer): void {
    const msg: ToWorker = {
      type: 'batch',
      index,
      sab: buffer.sab,
      layout: buffer.layout,
      used: buffer.used,
      records: buffer.records,
    };
    for (const m of this.#members) m.worker.postMessage(msg);
  }

  big(shard: number, key: Uint8Array, value: Uint8Array): void {
    const m = this.#members.find((x) => shard >= x.from && shard < x.to)!;
    m.worker.postMessage({ type: 'big', shard, key, value } satisfies ToWorker, [
      key.buffer as ArrayBuffer,
      value.buffer as ArrayBuffer,
    ]);
  }

  #fail(err: unknown): void {
    if (this.#error === undefined) this.#error = err;
    Atomics.store(this.#ctrl, FAILED, 1);
    for (let i = 0; i <= MAX_BUFFERS; i++) Atomics.notify(this.#ctrl, i);
    this.#settle?.();
  }

  /** Every worker finishes its shards; resolves with their results, in shard order. */
  async finish(): Promise<ShardResult[]> {
    if (this.#error !== undefined) throw this.#error;
    for (const m of this.#members) m.worker.postMessage({ type: 'finish' } satisfies ToWorker);
    await new Promise<void>((resolve) => {
      this.#settle = () => {
        if (this.#error !== undefined || this.#members.every((m) => m.results !== undefined)) resolve();
      };
      this.#settle();
    });
    this.#finishing = true;
    if (this.#error !== undefined) {
      await this.abort(this.#error);
      throw this.#error;
    }
    await Promise.all(this.#members.map((m) => m.worker.terminate()));
    return this.#members.flatMap((m) => m.results!).sort((a, b) => a.shard - b.shard);
  }

  /** Every worker aborts its writers (temp files removed) and stops. */
  async abort(reason: unknown): Promise<void> {
    this.#finishing = true;
    const text = reason instanceof Error ? reason.message : String(reason);
    await Promise.all(
      this.#members.map(async (m) => {
        if (m.exited) return;
        const done = new Promise<void>((resolve) => {
          const t = setTimeout(resolve, 5000);
          m.worker.on('message', (msg: FromWorker) => {
            if (msg.type === 'aborted') {
              clearTimeout(t);
              resolve();
            }
          });
          m.worker.once('exit', () => {
            clearTimeout(t);
            resolve();
          });
        });
        m.worker.postMessage({ type: 'abort', reason: text } satisfies ToWorker);
        await done;
        await m.worker.terminate();
      }),
    );
  }
}
