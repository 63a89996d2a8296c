// The main thread's half of a parallel set build (docs/SHARDS.md §Building): records
// are routed to their shard — natively, a whole cdbmake chunk per call — into that
// shard's region of a shared buffer; a full buffer goes to the workers, each of which
// hands its own shards' regions to their writers. Two layouts (regions.ts): 'encode'
// (mmcdb records already encoded at the shard file's position, with index entries: the
// writer only appends) and 'route' (cdbmake text, for classic shards, duplicate
// policies and builds without the addon). A few buffers circulate; a worker releases
// one by decrementing its counter in `ctrl`, so no event loop is needed to reuse it.
import { toBytes, type Bytes } from '../../util/bytes.js';
import { CdbError } from '../../util/errors.js';
import { nativeAddon, type NativeShardRouter, type ShardEncode, type ShardRoute } from '../../source/native.js';
import { CDBMAKE_LIMITS, countNewlines, scanCdbmakeRecord } from '../../build/cdbmake.js';
import type { CdbmakeProgress } from '../../build/writer.js';
import { MAX_KEY_LENGTH } from '../mmcdb/codec.js';
import { shardOf } from './partition.js';
import { encodeRecord, encodedSize, layoutFor, RegionBuffer, type Layout } from './regions.js';

/** Buffers made before the router waits for the workers to release one. */
export const MAX_BUFFERS = 6;
/** ctrl[FAILED] turns 1 when a worker failed: routing stops. */
export const FAILED = MAX_BUFFERS;
/** A sync wait for a buffer gives up when no worker released one for this long. */
const STALL_MS = 120_000;

// Atomics.waitAsync (ES2024; in V8 since Node 16): not in this project's ES2022 lib.
const waitAsync = (
  Atomics as unknown as {
    waitAsync(a: Int32Array, i: number, v: number, ms: number): { value: Promise<string> | string };
  }
).waitAsync;

/** Where full buffers go (the worker pool). */
export interface RegionSink {
  /** Workers that release each batch: a buffer's counter starts there. */
  readonly consumers: number;
  batch(index: number, buffer: RegionBuffer): void;
  /** One record larger than a region, for `shard`. */
  big(shard: number, key: Uint8Array, value: Uint8Array): void;
  /** The first worker error, once one failed. */
  failure(): unknown;
}

export interface RouterOptions {
  seed: bigint;
  shards: number;
  /** The shards this wave builds: [first, first + count); records of others are skipped. */
  first: number;
  count: number;
  /** 'encode': mmcdb shards, duplicates 'all'; their file seed and value alignment. */
  encode: { fileSeed: bigint; align: number } | undefined;
}

export class ShardRouter {
  readonly ctrl = new Int32Array(new SharedArrayBuffer(4 * (MAX_BUFFERS + 1)));
  readonly layout: Layout;
  readonly #o: RouterOptions;
  readonly #sink: RegionSink;
  readonly #buffers: RegionBuffer[] = [];
  readonly #route: ShardRoute | undefined;
  readonly #encode: ShardEncode | undefined;
  readonly #router: NativeShardRouter | undefined;
  readonly #state = new Float64Array(4);
  /** encode: each shard file's next record position. */
  readonly #positions: Float64Array;
  #index = 0;
  #cur!: RegionBuffer;
  /** Records routed so far (kept, or skipped for shards outside the wave). */
  seen = 0;

  constructor(options: RouterOptions, sink: RegionSink) {
    this.#o = options;
    this.#sink = sink;
    const addon = nativeAddon();
    this.#encode = options.encode !== undefined ? addon?.shardEncode : undefined;
    this.#route = options.encode === undefined ? addon?.shardRoute : undefined;
    this.#router = addon?.shardRouter?.(options.seed, options.shards);
    this.layout = layoutFor(options.encode !== undefined ? 'encode' : 'route', options.count);
    this.#positions = new Float64Array(options.count).fill(128); // FORMAT.md §Layout: records start after the header
    this.#use(this.#newBuffer()!);
  }

  /** Routes one record (string keys and values are stored as UTF-8). Returns true, as Writer.add. */
  add(key: Bytes, value: Bytes): boolean {
    const k = toBytes(key, 'key');
    const v = toBytes(value, 'value');
    if (k.length > MAX_KEY_LENGTH) throw new RangeError(`key is ${k.length} bytes; the limit is ${MAX_KEY_LENGTH}`);
    if (v.length > CDBMAKE_LIMITS.maxValue)
      throw new RangeError(`value is ${v.length} bytes; the limit is ${CDBMAKE_LIMITS.maxValue}`);
    this.#check();
    this.seen++;
    const s = this.#router !== undefined ? this.#router.of(k) : shardOf(k, this.#o.seed, this.#o.shards);
    const r = s - this.#o.first;
    if (r < 0 || r >= this.#o.count) return true;
    const enc = this.#o.encode;
    const size = enc !== undefined ? encodedSize(this.#positions[r]!, k.length, v.length, enc.align) : cdbmakeSize(k, v);
    if (size > this.layout.region) {
      this.flush(); // the shard's earlier records first
      this.#sink.big(s, Uint8Array.from(k), Uint8Array.from(v));
      if (enc !== undefined) this.#positions[r]! += size;
      return true;
    }
    const cur = this.#cur;
    if (cur.used[r]! + size > this.layout.region || (enc !== undefined && cur.records[r] === this.layout.entries)) this.flush();
    if (enc !== undefined) {
      encodeRecord(this.#cur, r, this.#positions[r]!, k, v, enc);
      this.#positions[r]! += size;
    } else {
      this.#cur.appendCdbmake(r, k, v);
    }
    return true;
  }

  /** Routes the complete cdbmake records at the start of `bytes`, as Writer.addCdbmake. */
  addCdbmake(bytes: Uint8Array): CdbmakeProgress {
    this.#check();
    const progress: CdbmakeProgress = { consumed: 0, records: 0, dropped: 0, lines: 0 };
    if (this.#encode === undefined && this.#route === undefined) return this.#addCdbmakeRecords(bytes, progress);
    const o = this.#o;
    const state = this.#state;
    for (;;) {
      const src = progress.consumed === 0 ? bytes : bytes.subarray(progress.consumed);
      const cur = this.#cur;
      const n =
        this.#encode !== undefined
          ? this.#encode(
              src,
              o.seed,
              o.encode!.fileSeed,
              o.shards,
              o.first,
              o.count,
              o.encode!.align,
              cur.bytes,
              this.layout.region,
              this.layout.entries,
              cur.used,
              cur.records,
              this.#positions,
              state,
            )
          : this.#route!(src, o.seed, o.shards, o.first, o.count, cur.bytes, this.layout.region, cur.used, state);
      if (n > 0) cur.touched = true;
      progress.consumed += state[0]!;
      progress.records += n;
      progress.lines += state[1]!;
      this.seen += n;
      const stop = state[2]!;
      if (stop === 0) return progress;
      if (stop === 1 || stop === 2) {
        this.flush();
        continue;
      }
      // 3: a record larger than a whole region: add() sends it on its own.
      const rec = scanCdbmakeRecord(bytes, progress.consumed)!;
      this.add(bytes.subarray(rec.keyStart, rec.keyEnd), bytes.subarray(rec.valueStart, rec.valueEnd));
      progress.lines += 1 + countNewlines(bytes, rec.keyStart, rec.keyEnd) + countNewlines(bytes, rec.valueStart, rec.valueEnd);
      progress.consumed = rec.end;
      progress.records++;
    }
  }

  #addCdbmakeRecords(bytes: Uint8Array, progress: CdbmakeProgress): CdbmakeProgress {
    for (;;) {
      const r = scanCdbmakeRecord(bytes, progress.consumed);
      if (r === undefined) return progress;
      this.add(bytes.subarray(r.keyStart, r.keyEnd), bytes.subarray(r.valueStart, r.valueEnd));
      progress.records++;
      progress.lines += 1 + countNewlines(bytes, r.keyStart, r.keyEnd) + countNewlines(bytes, r.valueStart, r.valueEnd);
      progress.consumed = r.end;
    }
  }

  /** Hands the current buffer to the workers (if it holds anything) and takes a free one. */
  flush(): void {
    if (!this.#cur.touched) return;
    Atomics.store(this.ctrl, this.#index, this.#sink.consumers);
    this.#sink.batch(this.#index, this.#cur);
    this.#use(this.#free() ?? this.#newBuffer() ?? this.#waitSync());
  }

  /** Resolves once a buffer is free (so that the next flush() does not block). */
  async ready(): Promise<void> {
    for (;;) {
      this.#check();
      if (this.#free() !== undefined || this.#buffers.length < MAX_BUFFERS) return;
      const i = (this.#index + 1) % this.#buffers.length;
      const pending = Atomics.load(this.ctrl, i);
      if (pending !== 0) await waitAsync(this.ctrl, i, pending, 1000).value;
    }
  }

  /** A buffer other than the current one that no worker holds. */
  #free(): number | undefined {
    for (let k = 1; k < this.#buffers.length; k++) {
      const i = (this.#index + k) % this.#buffers.length;
      if (Atomics.load(this.ctrl, i) === 0) return i;
    }
    return undefined;
  }

  #newBuffer(): number | undefined {
    if (this.#buffers.length >= MAX_BUFFERS) return undefined;
    this.#buffers.push(new RegionBuffer(this.layout));
    return this.#buffers.length - 1;
  }

  /** Blocks until the oldest buffer is released (callers that never await ready()). */
  #waitSync(): number {
    const i = (this.#index + 1) % this.#buffers.length;
    for (let waited = 0; ; ) {
      this.#check();
      const pending = Atomics.load(this.ctrl, i);
      if (pending === 0) return i;
      if (Atomics.wait(this.ctrl, i, pending, 50) === 'timed-out' && (waited += 50) > STALL_MS) {
        throw new CdbError('ERR_CDB_ABORTED', `the shard workers released no buffer in ${STALL_MS / 1000} s`);
      }
    }
  }

  #use(i: number): void {
    this.#index = i;
    this.#cur = this.#buffers[i]!;
    this.#cur.reset();
  }

  #check(): void {
    if (Atomics.load(this.ctrl, FAILED) !== 0)
      throw this.#sink.failure() ?? new CdbError('ERR_CDB_ABORTED', 'a shard worker failed');
  }
}

function cdbmakeSize(k: Uint8Array, v: Uint8Array): number {
  return 1 + String(k.length).length + 1 + String(v.length).length + 1 + k.length + 2 + v.length + 1;
}
