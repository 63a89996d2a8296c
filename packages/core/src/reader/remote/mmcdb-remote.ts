// The mmcdb format over HTTP (FORMAT.md): lookups, scans and metadata through the shared
// codec — every slot and record is decoded and bounds-checked by format/mmcdb/codec.ts.
// A lookup reads the whole candidate run in one range: the index is sorted by home slot
// and no record sits more than max_probe slots past its home (§Index), so slots
// [home, home + max_probe + 1] hold every candidate and the slot that ends the run.
import {
  checkRecordPosition,
  decodeRecord,
  decodeSlot,
  homeSlot,
  RECORD_HEADER_SIZE,
  SLOT_SIZE,
  supersededSlotError,
  type Header,
  type Slot,
} from '../../format/mmcdb/codec.js';
import { xxh64Split } from '../../util/hash.js';
import { RemoteError } from '../../source/http/remote-error.js';
import type { RangeReader } from '../../source/http/range-reader.js';
import type { Lookup } from './lookup.js';
import { matchRecords, type Candidate, type ReadTuning, type RecordCodec, type Want } from './records.js';
import { SequentialWindow } from './scan.js';

/** The index as the header describes it (FORMAT.md §Header). */
export interface MmcdbLayout {
  format: 'mmcdb';
  indexSlots: number;
  homeSlots: number;
  maxProbe: number;
  seed: bigint;
  valueAlign: number;
  metadataBytes: number;
}

/** At most this many slots per range (64 KiB): max_probe saturates at 2^32 − 1 and may be pathological. */
export const MAX_SLOTS_PER_READ = 4096;

export class MmcdbRemote {
  readonly format = 'mmcdb' as const;
  readonly header: Header;
  readonly #codec: RecordCodec;
  readonly #t: ReadTuning;

  constructor(header: Header, t: ReadTuning) {
    this.header = header;
    this.#t = t;
    const h = header;
    this.#codec = {
      headerSize: RECORD_HEADER_SIZE,
      dataEnd: h.dataEnd,
      checkPosition: (pos, referrer) => checkRecordPosition(pos, h, referrer, t.url),
      decode: (bytes, pos, referrer) => {
        const rec = decodeRecord(bytes, 0, pos, h, t.url);
        if (rec.superseded) throw supersededSlotError(pos, referrer, t.url);
        return rec;
      },
    };
  }

  layout(): MmcdbLayout {
    const h = this.header;
    return {
      format: 'mmcdb',
      indexSlots: h.indexLength,
      homeSlots: h.homeSlots,
      maxProbe: h.maxProbe,
      seed: h.seed,
      valueAlign: h.valueAlign,
      metadataBytes: h.metaLength,
    };
  }

  size(): Promise<number> {
    return Promise.resolve(this.header.recordCount);
  }

  /** §Index lookup: one slot range, then the candidates' records (records.ts). */
  *lookup(key: Uint8Array, want: Want): Lookup<Uint8Array[]> {
    const h = this.header;
    if (h.recordCount === 0) return [];
    const hash = xxh64Split(key, h.seed, { hi: 0, lo: 0 });
    const s: Slot = { hashHi: 0, hashLo: 0, position: 0 };
    const candidates: Candidate[] = [];
    let span = Math.min(h.maxProbe + 2, MAX_SLOTS_PER_READ);
    scan: for (let i = homeSlot(hash.hi, h.homeSlots); i < h.indexLength; ) {
      const n = Math.min(span, h.indexLength - i);
      const start = h.indexOffset + i * SLOT_SIZE;
      const [slots] = yield [{ start, end: start + n * SLOT_SIZE }];
      for (let j = 0; j < n; j++) {
        decodeSlot(slots!, j * SLOT_SIZE, s);
        if (s.position === 0) break scan; // empty slot: end of the run
        if (s.hashHi > hash.hi || (s.hashHi === hash.hi && s.hashLo > hash.lo)) break scan; // sorted: no later slot holds h
        if (s.hashHi === hash.hi && s.hashLo === hash.lo) candidates.push({ pos: s.position, slotOffset: start + j * SLOT_SIZE });
      }
      // The run goes on past what max_probe promised (or past the cap): keep reading, capped.
      i += n;
      span = MAX_SLOTS_PER_READ;
    }
    if (candidates.length === 0) return [];
    return yield* matchRecords(candidates, key, want, this.#codec, this.#t);
  }

  /** Every live record in file order (§Records), the file read in `scanBytes` ranges. */
  async *entries(source: RangeReader, scanBytes: number, signal?: AbortSignal): AsyncGenerator<[Uint8Array, Uint8Array]> {
    const h = this.header;
    const win = new SequentialWindow(source, h.dataEnd, scanBytes, signal);
    for (let pos = h.dataOffset; pos < h.dataEnd; ) {
      checkRecordPosition(pos, h, pos, this.#t.url);
      const headerAt = await win.ensure(pos, RECORD_HEADER_SIZE);
      const rec = decodeRecord(win.bytes, headerAt, pos, h, this.#t.url);
      checkScanLength(rec.end - pos, pos, this.#t);
      const at = await win.ensure(pos, rec.end - pos);
      const b = win.bytes;
      if (!rec.superseded) {
        yield [
          b.slice(at + rec.keyOffset - pos, at + rec.keyOffset - pos + rec.keyLength),
          b.slice(at + rec.valueOffset - pos, at + rec.valueOffset - pos + rec.valueLength),
        ];
      }
      pos = rec.end;
    }
  }

  /** §Metadata: the JSON text, or undefined. */
  async metadataText(source: RangeReader, signal?: AbortSignal): Promise<string | undefined> {
    const h = this.header;
    if (h.metaLength === 0) return undefined;
    checkScanLength(h.metaLength, h.metaOffset, this.#t);
    const [bytes] = await source.read([{ start: h.metaOffset, end: h.metaOffset + h.metaLength }], signal);
    return new TextDecoder().decode(bytes);
  }
}

/** A record (or metadata) too big to hold in memory here is refused, whatever the file claims. */
export function checkScanLength(length: number, offset: number, t: ReadTuning): void {
  if (length > t.maxValueBytes + 2 * 65536) {
    throw new RemoteError('ERR_CDB_REMOTE', `a record of ${length} bytes is more than maxValueBytes = ${t.maxValueBytes}`, {
      url: t.url,
      offset,
    });
  }
}
