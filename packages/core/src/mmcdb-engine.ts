// Pure-TypeScript lookups in an mmcdb file (FORMAT.md §Index, §Records). Every offset
// read from the file is checked against its section before use.
import type { Engine, EngineStats, Backend, WarmTarget } from './engine.js';
import { CdbError } from './errors.js';
import { alignUp, homeSlot, RECORD_HEADER_SIZE, SLOT_SIZE, SUPERSEDED, type Header } from './format.js';
import { xxh64Split, type Hash64 } from './hash.js';
import { toBytes, type Bytes } from './keys.js';
import type { ByteSource } from './source.js';

const U32 = 0x100000000;

export class MmcdbEngine implements Engine {
  readonly format = 'mmcdb' as const;
  readonly backend: Backend;
  readonly size: number;
  readonly fileSize: number;
  readonly header: Header;
  readonly #src: ByteSource;
  readonly #hash: Hash64 = { hi: 0, lo: 0 };
  readonly #path: string;

  constructor(src: ByteSource, header: Header, backend: Backend, path: string) {
    this.#src = src;
    this.header = header;
    this.backend = backend;
    this.size = header.recordCount;
    this.fileSize = header.fileLength;
    this.#path = path;
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
    for (let i = homeSlot(hi, h.homeSlots); i < h.indexLength; i++) {
      const at = src.load(h.indexOffset + i * SLOT_SIZE, SLOT_SIZE);
      const d = src.data;
      const posLo = d.readUInt32LE(at + 8);
      const posHi = d.readUInt32LE(at + 12);
      if (posLo === 0 && posHi === 0) return; // empty slot
      const sHi = d.readUInt32LE(at + 4);
      const sLo = d.readUInt32LE(at);
      if (sHi > hi || (sHi === hi && sLo > lo)) return; // sorted: h cannot come later
      if (sHi !== hi || sLo !== lo) continue;
      const value = this.#matchRecord(posHi * U32 + posLo, key, h.indexOffset + i * SLOT_SIZE);
      if (value !== undefined && !onValue(value)) return;
    }
  }

  /** The record's value when its key equals `key`; checks every bound first. */
  #matchRecord(pos: number, key: Uint8Array, slotOffset: number): Buffer | undefined {
    const rec = this.#record(pos, slotOffset);
    if (rec.superseded) {
      throw new CdbError('ERR_CDB_CORRUPT', `index slot points to a superseded record at ${pos}`, {
        offset: slotOffset,
        path: this.#path,
      });
    }
    if (rec.keyLength !== key.length) return undefined;
    const at = this.#src.load(pos + RECORD_HEADER_SIZE, key.length);
    if (key.length <= 64) {
      const d = this.#src.data;
      for (let j = 0; j < key.length; j++) if (d[at + j] !== key[j]) return undefined;
    } else if (!this.#src.bytes(pos + RECORD_HEADER_SIZE, key.length).equals(key)) {
      return undefined;
    }
    return this.#src.bytes(rec.valueOffset, rec.valueLength);
  }

  /** Decodes and bounds-checks the record header at `pos` (§Records). */
  #record(pos: number, referrer: number) {
    const h = this.header;
    if (pos < h.dataOffset || pos + RECORD_HEADER_SIZE > h.dataEnd) {
      throw new CdbError('ERR_CDB_CORRUPT', `record position ${pos} is outside the data section`, {
        offset: referrer,
        path: this.#path,
      });
    }
    const at = this.#src.load(pos, RECORD_HEADER_SIZE);
    const d = this.#src.data;
    const rawKeyLength = d.readUInt32LE(at);
    const valueLength = d.readUInt32LE(at + 8) * U32 + d.readUInt32LE(at + 4);
    const keyLength = rawKeyLength & ~SUPERSEDED;
    const keyEnd = pos + RECORD_HEADER_SIZE + keyLength;
    const valueOffset = alignUp(keyEnd, h.valueAlign);
    if (keyEnd > h.dataEnd || valueOffset + valueLength > h.dataEnd) {
      throw new CdbError('ERR_CDB_CORRUPT', `record at ${pos} runs past the end of the data section`, {
        offset: pos,
        path: this.#path,
      });
    }
    return {
      keyLength,
      valueOffset,
      valueLength,
      superseded: (rawKeyLength & SUPERSEDED) !== 0,
      end: valueOffset + valueLength,
    };
  }

  *entries(): IterableIterator<[Buffer, Buffer]> {
    const h = this.header;
    for (let pos = h.dataOffset; pos < h.dataEnd; ) {
      const rec = this.#record(pos, pos);
      if (!rec.superseded) {
        yield [this.#src.bytes(pos + RECORD_HEADER_SIZE, rec.keyLength), this.#src.bytes(rec.valueOffset, rec.valueLength)];
      }
      pos = rec.end;
    }
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
