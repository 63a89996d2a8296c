// A sharded set as one Engine (docs/SHARDS.md §Reading), so that openSync() returns the
// same Reader for a set as for a file. A key goes to shard xxh64(key, seed) mod N; with
// the mmap backend the native set index routes and looks up in one call over the
// shards' handles (a get costs what a get on one file costs; the index reads each
// shard's file natively, as its handle's lookups do, and the value is viewed through
// that shard's segments), getMany groups its keys by shard in that same call; other
// backends route in TypeScript and ask the shard's engine. entries() goes shard by shard.
import * as path from 'node:path';
import type { Bytes } from '../../util/bytes.js';
import { CdbError } from '../../util/errors.js';
import { nativeAddon, type NativeShardIndex, type NativeShardRouter } from '../../source/native.js';
import { MEMORY_LIMIT } from '../../source/file.js';
import type { Backend, Engine, FormatName, Residency, WarmTarget } from '../../format/engine.js';
import { shardOf } from '../../format/sharded/partition.js';
import { locateSet, readManifest, takeLease, type Lease, type SetLocation } from '../../format/sharded/versions.js';
import { waveSize } from '../../format/sharded/waves.js';
import type { SetManifest } from '../../format/sharded/manifest.js';
import { NativeEngine } from '../native-engine.js';
import type { AsyncIoState } from '../async-io.js';
import { ShardTable, type OpenFile } from './shard-table.js';
import { groupByShard, scatter } from './batches.js';
import { NATIVE_SLICE_KEYS, SYNC_SLICE_KEYS } from '../async-batch.js';

export interface SetReaderInfo {
  id: string;
  shards: number;
  partitionSeed: bigint;
  /** The version folder read, and the shards open now. */
  dir: string;
  openShards: number;
}

/** Opens the set at `loc` (its manifest checked, every shard file present with its size). */
export function openSetEngine(
  shown: string,
  first: SetLocation,
  choice: Backend | 'auto',
  open: OpenFile,
  maxOpen?: number,
): SetEngine {
  let loc = first;
  for (let attempt = 0; ; attempt++) {
    // The reader's lease first, then the manifest: gc (which renames a version away before
    // deleting it) then either sees the lease, or this reader finds the version gone.
    const lease = takeLease(loc.dir, 'reader');
    try {
      const manifest = readManifest(loc.manifestPath);
      const backend = choice !== 'auto' ? choice : manifest.files.every((f) => f.bytes <= MEMORY_LIMIT) ? 'memory' : 'pread';
      const table = new ShardTable(manifest, loc.dir, backend, open, waveSize(maxOpen));
      table.checkFiles();
      return new SetEngine(table, lease);
    } catch (err) {
      lease?.release();
      const gone = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (!gone || loc.current === undefined) throw err;
      if (attempt === 2) {
        throw new CdbError(
          'ERR_CDB_SHARD',
          `CURRENT names ${path.basename(loc.dir)}, which has no ${path.basename(loc.manifestPath)}`,
          { path: loc.current, cause: err },
        );
      }
      loc = locateSet(shown) ?? loc; // CURRENT moved on while that version was being removed
    }
  }
}

export class SetEngine implements Engine {
  readonly backend: Backend;
  readonly format: FormatName;
  readonly fileSize: number;
  readonly heapBytes = 0;
  readonly #table: ShardTable;
  readonly #m: SetManifest;
  readonly #lease: Lease | undefined;
  readonly #router: NativeShardRouter | undefined;
  readonly #index: NativeShardIndex | undefined;
  readonly #out = new Float64Array(2);
  /** The engine of each shard attached to the index (it views the values the index finds). */
  readonly #attached: (NativeEngine | undefined)[];
  #batchOut = new Float64Array(0);
  #batchShards = new Uint32Array(0);
  residency?: () => Residency;
  evict?: () => number;
  asyncIo?: () => AsyncIoState;

  constructor(table: ShardTable, lease: Lease | undefined) {
    this.#table = table;
    this.#m = table.manifest;
    this.#lease = lease;
    this.backend = table.backend;
    this.format = this.#m.format;
    this.fileSize = this.#m.bytes;
    this.#attached = new Array<NativeEngine | undefined>(this.#m.shards).fill(undefined);
    const addon = nativeAddon();
    this.#router = addon?.shardRouter?.(this.#m.seed, this.#m.shards);
    // Both formats: the index looks up through each shard's handle, whatever its format.
    if (this.backend === 'mmap') this.#index = addon?.shardIndex?.(this.#m.seed, this.#m.shards, this.#out);
    table.onOpen = (i, e) => {
      if (this.#index !== undefined && e instanceof NativeEngine && e.attachTo(this.#index, i)) this.#attached[i] = e;
    };
    table.onClose = (i) => {
      if (this.#attached[i] === undefined) return;
      this.#index!.detach(i);
      this.#attached[i] = undefined;
    };
    if (this.backend === 'mmap') {
      this.residency = () => this.#residency();
      this.evict = () => this.#sumOver((e) => e.evict?.() ?? 0);
      // Each shard's engine picks its path on its first async call, from the same
      // options in the same process; the set reports the first open shard's (shard 0,
      // opened to ask, when none is).
      this.asyncIo = () => {
        const e = this.#table.open()[0] ?? this.#table.get(0);
        return e.asyncIo?.() ?? { mode: 'threadpool', fallbackReason: undefined };
      };
    }
  }

  /** Records in the set: every shard is opened (and checked) once the first time. */
  get size(): number {
    this.#table.checkAll();
    return this.#m.records;
  }

  get mappedBytes(): number {
    return this.#table.open().reduce((a, e) => a + e.mappedBytes, 0);
  }

  shardOf(key: Bytes): number {
    return this.#router !== undefined ? this.#router.of(key) : shardOf(key, this.#m.seed, this.#m.shards);
  }

  get(key: Bytes): Buffer | undefined {
    const index = this.#index;
    if (index !== undefined) {
      const r = index.get(key);
      if (r > 0) {
        this.#table.recent[r - 1] = 1;
        return this.#attached[r - 1]!.valueAt(this.#out[0]!, this.#out[1]!);
      }
      if (r === 0) return undefined;
      // −(s + 1): shard s's engine answers (not open yet, or what the index cannot read).
      return this.#table.get(-r - 1).get(key);
    }
    return this.#table.get(this.shardOf(key)).get(key);
  }

  getAll(key: Bytes): Buffer[] {
    return this.#table.get(this.shardOf(key)).getAll(key);
  }

  getMany(keys: readonly Bytes[]): (Buffer | undefined)[] {
    const index = this.#index;
    if (index === undefined) return this.#perShard(keys, (e, ks) => e.getMany?.(ks) ?? ks.map((k) => e.get(k)));
    const n = keys.length;
    if (this.#batchShards.length < n) {
      this.#batchOut = new Float64Array(2 * n);
      this.#batchShards = new Uint32Array(n);
    }
    const out = this.#batchOut;
    const shards = this.#batchShards;
    index.getMany(keys, out, shards);
    const values = new Array<Buffer | undefined>(n);
    let rest: number[] | undefined;
    for (let i = 0; i < n; i++) {
      const off = out[2 * i]!;
      if (off >= 0) values[i] = this.#attached[shards[i]!]!.valueAt(off, out[2 * i + 1]!);
      else {
        values[i] = undefined;
        if (off === -2) (rest ??= []).push(i);
      }
    }
    if (rest !== undefined) {
      // Shards not attached yet (or that the index handed back): their engines answer.
      const sub = rest.map((i) => keys[i]!);
      const got = this.#perShard(sub, (e, ks) => e.getMany?.(ks) ?? ks.map((k) => e.get(k)));
      for (let j = 0; j < rest.length; j++) values[rest[j]!] = got[j];
    }
    for (let i = 0; i < n; i++) if (out[2 * i]! !== -2) this.#table.recent[shards[i]!] = 1;
    return values;
  }

  async getManyAsync(keys: readonly Bytes[]): Promise<(Buffer | undefined)[]> {
    return (await this.startMany(keys, undefined))();
  }

  /** Keys per slice: the mmap shards take theirs off the main thread, the others answer in it. */
  get sliceKeys(): number {
    return this.backend === 'mmap' ? NATIVE_SLICE_KEYS : SYNC_SLICE_KEYS;
  }

  /** One slice of getManyAsync (reader/async-batch.ts): each shard's keys handed to its engine now. */
  startMany = async (keys: readonly Bytes[], cancel: Int32Array | undefined): Promise<() => (Buffer | undefined)[]> => {
    const groups = groupByShard(keys, (k) => this.shardOf(k));
    const finishers = await Promise.all(
      groups.map((g) => {
        const e = this.#table.get(g.shard);
        return e.startMany !== undefined ? e.startMany(g.keys, cancel) : () => g.keys.map((k) => e.get(k));
      }),
    );
    return () =>
      scatter(
        keys.length,
        groups,
        finishers.map((f) => f()),
      );
  };

  #perShard(keys: readonly Bytes[], fn: (e: Engine, keys: Bytes[]) => (Buffer | undefined)[]): (Buffer | undefined)[] {
    const groups = groupByShard(keys, (k) => this.shardOf(k));
    return scatter(
      keys.length,
      groups,
      groups.map((g) => fn(this.#table.get(g.shard), g.keys)),
    );
  }

  *entries(): IterableIterator<[Buffer, Buffer]> {
    for (let i = 0; i < this.#m.shards; i++) {
      const e = this.#table.get(i);
      this.#table.pin(i); // lookups during the iteration must not close the shard it reads
      try {
        yield* e.entries();
      } finally {
        this.#table.unpin(i);
      }
    }
  }

  async warm(what: WarmTarget): Promise<void> {
    for (let i = 0; i < this.#m.shards; i++) await this.#table.get(i).warm?.(what);
  }

  #residency(): Residency {
    const sum: Residency = { index: { resident: 0, total: 0 }, data: { resident: 0, total: 0 }, pageSize: 4096 };
    for (let i = 0; i < this.#m.shards; i++) {
      const r = this.#table.get(i).residency!();
      sum.index.resident += r.index.resident;
      sum.index.total += r.index.total;
      sum.data.resident += r.data.resident;
      sum.data.total += r.data.total;
      sum.pageSize = r.pageSize;
    }
    return sum;
  }

  #sumOver(fn: (e: Engine) => number): number {
    let total = 0;
    for (let i = 0; i < this.#m.shards; i++) total += fn(this.#table.get(i));
    return total;
  }

  metadataText(): string | undefined {
    return this.#m.metadata === undefined ? undefined : JSON.stringify(this.#m.metadata);
  }

  damaged(): boolean {
    return this.#table.open().some((e) => e.damaged?.() === true);
  }

  setInfo(): SetReaderInfo {
    return {
      id: this.#m.set,
      shards: this.#m.shards,
      partitionSeed: this.#m.seed,
      dir: this.#table.dir,
      openShards: this.#table.open().length,
    };
  }

  close(): void {
    this.#index?.close();
    this.#table.closeAll();
    this.#lease?.release();
  }
}
