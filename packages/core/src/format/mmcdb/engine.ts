// Pure-TypeScript lookups in an mmcdb file (FORMAT.md §Index, §Records) over any byte
// source. Every offset read from the file is checked (codec.ts) before use.
import type { Bytes } from '../../util/bytes.js';
import { toBytes } from '../../util/bytes.js';
import { xxh64Split, type Hash64 } from '../../util/hash.js';
import type { ByteSource } from '../../source/byte-source.js';
import type { Backend, Engine, WarmTarget } from '../engine.js';
import {
  checkRecordPosition,
  decodeRecord,
  decodeSlot,
  homeSlot,
  RECORD_HEADER_SIZE,
  SLOT_SIZE,
  supersededSlotError,
  type Header,
  type RecordHeader,
  type Slot,
} from './codec.js';

export class MmcdbEngine implements Engine {
  readonly format = 'mmcdb' as const;
  readonly backend: Backend;
  readonly size: number;
  readonly fileSize: number;
  readonly mappedBytes = 0;
  readonly header: Header;
  readonly #src: ByteSource;
  readonly #hash: Hash64 = { hi: 0, lo: 0 };
  readonly #slot: Slot = { hashHi: 0, hashLo: 0, position: 0 };
  readonly #path: string;

  constructor(src: ByteSource, header: Header, backend: Backend, path: string) {
    this.#src = src;
    this.header = header;
    this.backend = backend;
    this.size = header.recordCount;
    this.fileSize = header.fileLength;
    this.#path = path;
  }

  get heapBytes(): number {
    return this.#src.heapBytes;
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

  /** §Index lookup; calls `onValue` per match in insertion order until it returns false. */
  #lookup(key: Uint8Array, onValue: (value: Buffer) => boolean): void {
    const h = this.header;
    if (h.recordCount === 0) return;
    const { hi, lo } = xxh64Split(key, h.seed, this.#hash);
    const src = this.#src;
    const s = this.#slot;
    for (let i = homeSlot(hi, h.homeSlots); i < h.indexLength; i++) {
      const slotOffset = h.indexOffset + i * SLOT_SIZE;
      decodeSlot(src.data, src.load(slotOffset, SLOT_SIZE), s);
      if (s.position === 0) return; // empty slot
      if (s.hashHi > hi || (s.hashHi === hi && s.hashLo > lo)) return; // sorted: h cannot come later
      if (s.hashHi !== hi || s.hashLo !== lo) continue;
      const value = this.#matchRecord(s.position, key, slotOffset);
      if (value !== undefined && !onValue(value)) return;
    }
  }

  /** The record's value when its key equals `key`. */
  #matchRecord(pos: number, key: Uint8Array, slotOffset: number): Buffer | undefined {
    const rec = this.recordAt(pos, slotOffset);
    if (rec.superseded) throw supersededSlotError(pos, slotOffset, this.#path);
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
  recordAt(pos: number, referrer: number): RecordHeader {
    checkRecordPosition(pos, this.header, referrer, this.#path);
    return decodeRecord(this.#src.data, this.#src.load(pos, RECORD_HEADER_SIZE), pos, this.header, this.#path);
  }

  /** Every live record in file order (§Records: SUPERSEDED ones are skipped). */
  *entries(): IterableIterator<[Buffer, Buffer]> {
    for (const rec of this.records()) {
      if (!rec.superseded)
        yield [this.#src.bytes(rec.keyOffset, rec.keyLength), this.#src.bytes(rec.valueOffset, rec.valueLength)];
    }
  }

  /** Every record header in file order, superseded ones included (verify, analyze). */
  *records(): IterableIterator<RecordHeader> {
    const h = this.header;
    for (let pos = h.dataOffset; pos < h.dataEnd; ) {
      const rec = this.recordAt(pos, pos);
      yield rec;
      pos = rec.end;
    }
  }

  /** The key bytes of a record. */
  keyOf(rec: RecordHeader): Buffer {
    return this.#src.bytes(rec.keyOffset, rec.keyLength);
  }

  async warm(what: WarmTarget): Promise<void> {
    const h = this.header;
    if (what === 'all') await this.#src.prefetch?.(0, h.fileLength);
    else await this.#src.prefetch?.(h.indexOffset, h.metaOffset - h.indexOffset);
  }

  metadataText(): string | undefined {
    const h = this.header;
    if (h.metaLength === 0) return undefined;
    return this.#src.bytes(h.metaOffset, h.metaLength).toString('utf8');
  }

  close(): void {
    this.#src.close();
  }
}
