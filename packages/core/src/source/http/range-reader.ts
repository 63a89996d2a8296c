// Reads byte ranges of one remote file version through the block cache (docs/REMOTE.md
// §Cost model). read(ranges) is one round: every block the ranges touch that is neither
// cached nor already being fetched (by this or a concurrent call) is fetched in one go —
// runs of blocks merged, all requests in parallel — so no block is fetched twice while
// it fits in the cache. Ranges larger than `bypassBytes` (big values, scans) are fetched
// exactly and not cached.
import { BlockCache } from './block-cache.js';
import { blocksOf, planRuns } from './range-plan.js';
import type { ByteRange, HttpTransport } from './transport.js';

export interface RangeReaderOptions {
  blockSize: number;
  cacheBytes: number;
  maxGapBytes: number;
  /** Ranges longer than this skip the cache. */
  bypassBytes: number;
}

export interface CacheCounters {
  /** Blocks served from the cache. */
  hits: number;
  /** Blocks fetched. */
  misses: number;
}

export class RangeReader {
  readonly size: number;
  readonly blockSize: number;
  readonly cache: BlockCache;
  readonly #transport: HttpTransport | undefined;
  readonly #whole: Uint8Array | undefined;
  readonly #o: RangeReaderOptions;
  readonly #counters: CacheCounters;
  readonly #inflight = new Map<number, Promise<Uint8Array>>();

  /**
   * `first` holds the file's bytes from offset 0 (the first read); when `whole`, they are
   * the whole file and no request is ever made again.
   */
  constructor(
    transport: HttpTransport | undefined,
    size: number,
    first: Uint8Array,
    whole: boolean,
    o: RangeReaderOptions,
    counters: CacheCounters,
  ) {
    this.#transport = transport;
    this.size = size;
    this.blockSize = o.blockSize;
    this.#o = o;
    this.#counters = counters;
    this.cache = new BlockCache(o.cacheBytes);
    this.#whole = whole ? first : undefined;
    if (!whole) {
      // Keep the complete blocks of the first read: the header's neighbours are often next.
      const B = o.blockSize;
      for (let b = 0; (b + 1) * B <= first.length; b++) this.cache.set(b, first.subarray(b * B, (b + 1) * B));
    }
  }

  /** True when the whole file is in memory (small file, or a server that ignored Range). */
  get whole(): boolean {
    return this.#whole !== undefined;
  }

  /** The bytes of each range, in order; views that stay valid (never reused for other bytes). */
  async read(ranges: readonly ByteRange[], signal?: AbortSignal): Promise<Uint8Array[]> {
    for (const r of ranges) {
      if (!(r.start >= 0 && r.start <= r.end && r.end <= this.size))
        throw new RangeError(`range [${r.start}, ${r.end}) outside the file (${this.size} bytes)`);
    }
    const whole = this.#whole;
    if (whole !== undefined) return ranges.map((r) => whole.subarray(r.start, r.end));
    const B = this.blockSize;
    const local = new Map<number, Uint8Array>();
    const waits: Promise<void>[] = [];
    const missing = new Set<number>();
    const exact: ByteRange[] = [];
    for (const r of ranges) {
      if (r.end === r.start) continue;
      if (r.end - r.start > this.#o.bypassBytes) {
        exact.push(r);
        continue;
      }
      const { first, last } = blocksOf(r.start, r.end, B);
      for (let b = first; b <= last; b++) {
        if (local.has(b) || missing.has(b)) continue;
        const cached = this.cache.get(b);
        if (cached !== undefined) {
          this.#counters.hits++;
          local.set(b, cached);
          continue;
        }
        const pending = this.#inflight.get(b);
        if (pending !== undefined) {
          local.set(b, EMPTY); // placeholder: filled when the other fetch lands
          waits.push(pending.then((bytes) => void local.set(b, bytes)));
          continue;
        }
        missing.add(b);
      }
    }
    const runs = planRuns(
      [...missing].sort((a, b) => a - b),
      Math.floor(this.#o.maxGapBytes / B),
      (b) => this.cache.has(b) || this.#inflight.has(b) || local.has(b),
    );
    const fetchList: Array<{ range: ByteRange; run?: { first: number; last: number } }> = [
      ...runs.map((run) => ({ range: { start: run.first * B, end: Math.min((run.last + 1) * B, this.size) }, run })),
      ...exact.map((range) => ({ range })),
    ].sort((a, b) => a.range.start - b.range.start);
    const exactBytes = new Map<ByteRange, Uint8Array>();
    if (fetchList.length > 0) {
      const fetched = this.#transport!.fetchRanges(
        fetchList.map((f) => f.range),
        signal,
      );
      // Concurrent reads that need one of these blocks wait for this fetch instead of repeating it.
      fetchList.forEach((f, i) => {
        if (f.run === undefined) return;
        for (let b = f.run.first; b <= f.run.last; b++) {
          const p = fetched.then((all) => all[i]!.subarray((b - f.run!.first) * B, (b - f.run!.first + 1) * B));
          p.catch(() => undefined); // the error reaches this call's caller; do not report it twice
          this.#inflight.set(b, p);
        }
      });
      try {
        const all = await fetched;
        fetchList.forEach((f, i) => {
          const bytes = all[i]!;
          if (f.run === undefined) {
            exactBytes.set(f.range, bytes);
            return;
          }
          this.#counters.misses += f.run.last - f.run.first + 1;
          for (let b = f.run.first; b <= f.run.last; b++) {
            const block = bytes.subarray((b - f.run.first) * B, (b - f.run.first + 1) * B);
            local.set(b, block);
            this.cache.set(b, block);
          }
        });
      } finally {
        for (const f of fetchList)
          if (f.run !== undefined) for (let b = f.run.first; b <= f.run.last; b++) this.#inflight.delete(b);
      }
    }
    await Promise.all(waits);
    return ranges.map((r) => exactBytes.get(r) ?? assemble(r, local, B));
  }

  /** One range, read exactly and never cached (sequential scans). */
  async readUncached(start: number, end: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (this.#whole !== undefined) return this.#whole.subarray(start, end);
    if (end === start) return EMPTY;
    const [bytes] = await this.#transport!.fetchRanges([{ start, end }], signal);
    return bytes!;
  }
}

const EMPTY = new Uint8Array(0);

/** Bytes [r.start, r.end) from the blocks in `local`: a view when one block holds them, else a copy. */
function assemble(r: ByteRange, local: Map<number, Uint8Array>, B: number): Uint8Array {
  if (r.end === r.start) return EMPTY;
  const { first, last } = blocksOf(r.start, r.end, B);
  if (first === last) return local.get(first)!.subarray(r.start - first * B, r.end - first * B);
  const out = new Uint8Array(r.end - r.start);
  for (let b = first; b <= last; b++) {
    const block = local.get(b)!;
    const from = Math.max(r.start, b * B);
    const to = Math.min(r.end, (b + 1) * B);
    out.set(block.subarray(from - b * B, to - b * B), from - r.start);
  }
  return out;
}
