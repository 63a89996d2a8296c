// Pure-TypeScript lookups in a classic djb cdb file (docs/CLASSIC.md) over any byte
// source. A classic file has no checksum, so every position and length read from it is
// checked (codec.ts) before use: damage ends in a CdbError, never a read outside the file
// or an unbounded loop.
import { toBytes, type Bytes } from '../../util/bytes.js';
import type { ByteSource } from '../../source/byte-source.js';
import type { Backend, Engine, WarmTarget } from '../engine.js';
import {
  checkRecordPosition,
  decodeRecord,
  decodeToc,
  djbHash,
  RECORD_HEADER,
  SLOT,
  tableRanges,
  TOC_SIZE,
  type ClassicRecord,
  type Toc,
} from './codec.js';

/** Opens a classic djb cdb file, or throws ERR_CDB_FORMAT when it is not one. */
export function openClassicEngine(src: ByteSource, backend: Backend, path: string): ClassicEngine {
  return new ClassicEngine(src, decodeToc(src.bytes(0, Math.min(TOC_SIZE, src.size)), src.size, path), backend, path);
}

export class ClassicEngine implements Engine {
  readonly format = 'classic' as const;
  readonly backend: Backend;
  readonly fileSize: number;
  readonly mappedBytes = 0;
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

  get heapBytes(): number {
    return this.#src.heapBytes;
  }

  /**
   * Records reachable through the tables (non-empty slots), counted on first use. Equal
   * to the records entries() yields, except in files where a writer left records out of
   * the tables (tinycdb -0 zero-fills replaced records but keeps their bytes).
   */
  get size(): number {
    if (this.#size === undefined) this.#size = countUsedSlots(this.#src, this.toc);
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
    const rec = this.recordAt(pos, slotOffset);
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

  /** The bounds-checked record header at `pos`, named by the slot or record at `referrer`. */
  recordAt(pos: number, referrer: number): ClassicRecord {
    const end = this.toc.dataEnd;
    checkRecordPosition(pos, end, referrer, this.#path);
    return decodeRecord(this.#src.data, this.#src.load(pos, RECORD_HEADER), pos, end, this.#path);
  }

  /** Every record header from 2048 to the end of the records (the position of table 0). */
  *records(): IterableIterator<ClassicRecord & { position: number }> {
    for (let pos = TOC_SIZE; pos < this.toc.dataEnd; ) {
      const rec = this.recordAt(pos, pos);
      yield { ...rec, position: pos };
      pos = rec.end;
    }
  }

  keyOf(rec: ClassicRecord): Buffer {
    return this.#src.bytes(rec.keyOffset, rec.keyLength);
  }

  /** Every record in file order. */
  *entries(): IterableIterator<[Buffer, Buffer]> {
    for (const rec of this.records()) {
      yield [this.#src.bytes(rec.keyOffset, rec.keyLength), this.#src.bytes(rec.valueOffset, rec.valueLength)];
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

  close(): void {
    this.#src.close();
  }
}

/** Non-empty slots in the union of the tables (codec.ts tableRanges: O(file) on any TOC). */
export function countUsedSlots(src: ByteSource, toc: Toc): number {
  let n = 0;
  for (const [start, end] of tableRanges(toc)) {
    for (let p = start; p + SLOT <= end; p += SLOT) {
      const at = src.load(p, SLOT);
      if (src.data.readUInt32LE(at + 4) !== 0) n++;
    }
  }
  return n;
}
