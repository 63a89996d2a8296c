// Pure-TypeScript lookups in a classic djb cdb file (docs/CLASSIC.md). A classic file
// has no checksum, so every position and length read from it is checked before use:
// damage ends in a CdbError, never a read outside the file or an unbounded loop.
import type { Backend, Engine, EngineStats, WarmTarget } from '../engine.js';
import { toBytes, type Bytes } from '../keys.js';
import type { ByteSource } from '../source.js';
import { djbHash, readRecord, readToc, SLOT, TABLES, TOC_SIZE, type Toc } from './format.js';

/** Opens a classic djb cdb file, or throws ERR_CDB_FORMAT when it is not one. */
export function openClassicEngine(src: ByteSource, backend: Backend, path: string): Engine {
  return new ClassicEngine(src, readToc(src, path), backend, path);
}

export class ClassicEngine implements Engine {
  readonly format = 'classic' as const;
  readonly backend: Backend;
  readonly fileSize: number;
  readonly toc: Toc;
  readonly #src: ByteSource;
  readonly #path: string;
  #size: number | undefined;

  constructor(src: ByteSource, toc: Toc, backend: Backend, path: string) {
    this.#src = src;
    this.toc = toc;
    this.backend = backend;
    this.fileSize = src.size;
    this.#path = path;
  }

  /**
   * Records reachable through the tables (non-empty slots), counted on first use. Equal
   * to the records entries() yields, except in files where a writer left records out of
   * the tables (tinycdb -0 zero-fills replaced records but keeps their bytes).
   */
  get size(): number {
    if (this.#size === undefined) {
      let n = 0;
      const { pos, slots } = this.toc;
      for (let t = 0; t < TABLES; t++) {
        for (let i = 0; i < slots[t]!; i++) {
          const at = this.#src.load(pos[t]! + i * SLOT, SLOT);
          if (this.#src.data.readUInt32LE(at + 4) !== 0) n++;
        }
      }
      this.#size = n;
    }
    return this.#size;
  }

  get(key: Bytes): Buffer | undefined {
    let found: Buffer | undefined;
    this.#lookup(toBytes(key, 'key'), (v) => {
      found = v;
      return false;
    });
    return found;
  }

  getAll(key: Bytes): Buffer[] {
    const all: Buffer[] = [];
    this.#lookup(toBytes(key, 'key'), (v) => {
      all.push(v);
      return true;
    });
    return all;
  }

  /**
   * §Lookup: table h & 255, start slot (h >>> 8) % slots, linear probing with wrap-around;
   * stops at an empty slot (recpos 0) or after `slots` probes. Calls `onValue` per match,
   * in insertion order, until it returns false.
   */
  #lookup(key: Uint8Array, onValue: (value: Buffer) => boolean): void {
    const h = djbHash(key);
    const t = h & 255;
    const n = this.toc.slots[t]!;
    if (n === 0) return;
    const tablePos = this.toc.pos[t]!;
    const src = this.#src;
    let i = (h >>> 8) % n;
    for (let probes = 0; probes < n; probes++) {
      const slotOffset = tablePos + i * SLOT;
      const at = src.load(slotOffset, SLOT);
      const storedHash = src.data.readUInt32LE(at);
      const recPos = src.data.readUInt32LE(at + 4);
      if (recPos === 0) return; // empty slot: position 0, whatever the hash says
      if (storedHash === h) {
        const value = this.#matchRecord(recPos, key, slotOffset);
        if (value !== undefined && !onValue(value)) return;
      }
      if (++i === n) i = 0;
    }
  }

  /** The record's value when its key equals `key`. */
  #matchRecord(pos: number, key: Uint8Array, slotOffset: number): Buffer | undefined {
    const rec = readRecord(this.#src, pos, this.toc.dataEnd, slotOffset, this.#path);
    if (rec.keyLength !== key.length) return undefined;
    if (key.length <= 64) {
      const at = this.#src.load(rec.keyOffset, key.length);
      const d = this.#src.data;
      for (let j = 0; j < key.length; j++) if (d[at + j] !== key[j]) return undefined;
    } else if (!this.#src.bytes(rec.keyOffset, key.length).equals(key)) {
      return undefined;
    }
    return this.#src.bytes(rec.valueOffset, rec.valueLength);
  }

  /** Every record from 2048 to the end of the records (the position of table 0), in file order. */
  *entries(): IterableIterator<[Buffer, Buffer]> {
    const end = this.toc.dataEnd;
    for (let pos = TOC_SIZE; pos < end; ) {
      const rec = readRecord(this.#src, pos, end, pos, this.#path);
      yield [this.#src.bytes(rec.keyOffset, rec.keyLength), this.#src.bytes(rec.valueOffset, rec.valueLength)];
      pos = rec.end;
    }
  }

  async warm(what: WarmTarget): Promise<void> {
    if (what === 'all') await this.#src.prefetch?.(0, this.fileSize);
    else {
      await this.#src.prefetch?.(0, TOC_SIZE);
      await this.#src.prefetch?.(this.toc.dataEnd, this.fileSize - this.toc.dataEnd);
    }
  }

  metadataText(): string | undefined {
    return undefined;
  }

  stats(): EngineStats {
    return {
      backend: this.backend,
      format: this.format,
      fileSize: this.fileSize,
      mappedBytes: 0,
      heapBytes: this.backend === 'memory' ? this.fileSize : 0,
      records: this.size,
    };
  }

  close(): void {
    this.#src.close();
  }
}
