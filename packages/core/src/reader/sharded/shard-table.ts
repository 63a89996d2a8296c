// The shards of an open set (docs/SHARDS.md §Reading): each opened on first use and
// checked against the manifest then — its size, format, identity (set id, shard number,
// shard count, partition seed), record count and body checksum — so a file of another
// set or version is refused (ERR_CDB_SHARD) before it answers anything. At most
// `maxOpen` stay open: beyond that the least recently used is closed (values already
// read from it stay valid), so sets of tens of thousands of shards stay within the
// open-file limit.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CdbError } from '../../util/errors.js';
import type { Backend, Engine } from '../../format/engine.js';
import { decodeHeader, HEADER_SIZE } from '../../format/mmcdb/codec.js';
import { checkShardIdentity, hex64, readShardIdentity, type SetManifest } from '../../format/sharded/manifest.js';

export type OpenFile = (file: string, backend: Backend) => Engine;

export class ShardTable {
  readonly manifest: SetManifest;
  readonly dir: string;
  readonly backend: Backend;
  readonly #open: OpenFile;
  readonly #engines: (Engine | undefined)[];
  /** 1 once shard i was opened and found to match the manifest. */
  readonly #checked: Uint8Array;
  /** Clock bits: 1 = used since the hand last passed. */
  readonly recent: Uint8Array;
  readonly #max: number;
  #count = 0;
  #hand = 0;
  /** Shards an iteration is reading: never closed to make room. */
  readonly #pinned = new Map<number, number>();
  /** Called after shard i opened (the set index attaches it) and before it closes. */
  onOpen: ((i: number, e: Engine) => void) | undefined;
  onClose: ((i: number) => void) | undefined;

  constructor(manifest: SetManifest, dir: string, backend: Backend, open: OpenFile, maxOpen: number) {
    this.manifest = manifest;
    this.dir = dir;
    this.backend = backend;
    this.#open = open;
    this.#max = maxOpen;
    this.#engines = new Array<Engine | undefined>(manifest.shards).fill(undefined);
    this.#checked = new Uint8Array(manifest.shards);
    this.recent = new Uint8Array(manifest.shards);
  }

  /** Every shard file is there with the size the manifest says (one stat each, at open). */
  checkFiles(): void {
    for (let i = 0; i < this.manifest.shards; i++) {
      const p = this.path(i);
      let size: number;
      try {
        size = fs.statSync(p).size;
      } catch (err) {
        throw new CdbError(
          'ERR_CDB_SHARD',
          `shard ${i} of ${this.manifest.shards} is missing (${(err as NodeJS.ErrnoException).code})`,
          { path: p, cause: err },
        );
      }
      if (size !== this.manifest.files[i]!.bytes) {
        throw new CdbError(
          'ERR_CDB_SHARD',
          `shard ${i} is ${size} bytes; the manifest says ${this.manifest.files[i]!.bytes} (a file of another version?)`,
          { path: p },
        );
      }
    }
  }

  path(i: number): string {
    return path.join(this.dir, this.manifest.files[i]!.file);
  }

  /** Shard i's engine, opened (and checked) when needed. */
  get(i: number): Engine {
    this.recent[i] = 1;
    return this.#engines[i] ?? this.#load(i);
  }

  /** Keeps shard i open until unpin(i) (entries() of that shard is under way). */
  pin(i: number): void {
    this.#pinned.set(i, (this.#pinned.get(i) ?? 0) + 1);
  }

  unpin(i: number): void {
    const n = (this.#pinned.get(i) ?? 1) - 1;
    if (n === 0) this.#pinned.delete(i);
    else this.#pinned.set(i, n);
  }

  /** Shard i's engine if it is open. */
  peek(i: number): Engine | undefined {
    return this.#engines[i];
  }

  /** Opens every shard once (closing others as needed) so that each has been checked. */
  checkAll(): void {
    for (let i = 0; i < this.manifest.shards; i++) if (this.#checked[i] === 0) this.get(i);
  }

  open(): Engine[] {
    return this.#engines.filter((e): e is Engine => e !== undefined);
  }

  closeAll(): void {
    for (let i = 0; i < this.#engines.length; i++) this.#close(i);
  }

  #load(i: number): Engine {
    if (this.#count >= this.#max) this.#evict(i);
    const p = this.path(i);
    let e: Engine;
    try {
      e = this.#open(p, this.backend);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new CdbError('ERR_CDB_SHARD', `shard ${i} of ${this.manifest.shards} is missing`, { path: p, cause: err });
      }
      throw err;
    }
    try {
      if (this.#checked[i] === 0) this.#check(i, e, p);
    } catch (err) {
      e.close();
      throw err;
    }
    this.#checked[i] = 1;
    this.#engines[i] = e;
    this.#count++;
    this.onOpen?.(i, e);
    return e;
  }

  #check(i: number, e: Engine, p: string): void {
    const m = this.manifest;
    const want = m.files[i]!;
    const fail = (msg: string): never => {
      throw new CdbError('ERR_CDB_SHARD', msg, { path: p });
    };
    if (e.fileSize !== want.bytes)
      fail(`shard ${i} is ${e.fileSize} bytes; the manifest says ${want.bytes} (a file of another version?)`);
    if (e.format !== m.format) fail(`shard ${i} is a ${e.format} file; the set's shards are ${m.format}`);
    if (m.format === 'classic') return; // classic files carry no identity: verify() compares their checksums
    let meta: unknown;
    try {
      const text = e.metadataText();
      meta = text === undefined ? undefined : JSON.parse(text);
    } catch {
      meta = undefined;
    }
    checkShardIdentity(readShardIdentity(meta), m, i, p);
    if (e.size !== want.records) fail(`shard ${i} holds ${e.size} records; the manifest says ${want.records}`);
    const checksum = bodyChecksum(p);
    if (checksum !== want.checksum)
      fail(`shard ${i}'s body checksum is ${hex64(checksum)}; the manifest says ${hex64(want.checksum)}`);
  }

  /** Closes the least recently used open shard other than `except` (clock). */
  #evict(except: number): void {
    const n = this.#engines.length;
    for (let steps = 0; steps < 2 * n; steps++) {
      const i = this.#hand;
      this.#hand = (this.#hand + 1) % n;
      if (i === except || this.#engines[i] === undefined || this.#pinned.has(i)) continue;
      if (this.recent[i] === 1) {
        this.recent[i] = 0;
        continue;
      }
      this.#close(i);
      return;
    }
  }

  #close(i: number): void {
    const e = this.#engines[i];
    if (e === undefined) return;
    this.onClose?.(i);
    this.#engines[i] = undefined;
    this.#count--;
    e.close();
  }
}

/** FORMAT.md §Header body_checksum, read with one pread (the shard is open already). */
function bodyChecksum(p: string): bigint {
  const fd = fs.openSync(p, 'r');
  try {
    const head = Buffer.alloc(HEADER_SIZE);
    const n = fs.readSync(fd, head, 0, HEADER_SIZE, 0);
    return decodeHeader(head.subarray(0, n), fs.fstatSync(fd).size, p).bodyChecksum;
  } finally {
    fs.closeSync(fd);
  }
}
