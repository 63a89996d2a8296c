// Classic djb cdb over HTTP (CLASSIC.md): lookups, scans and the slot count through the
// shared codec (format/classic/codec.ts). A classic file has no max_probe, so a lookup
// reads a window of its table from the start slot (wrapping to the table's first slot),
// extended to the end of its block because those bytes come anyway, and reads a window
// twice as large only while the probe run goes on (§Lookup: at most `slots` probes).
import {
  checkRecordPosition,
  decodeRecord,
  djbHash,
  RECORD_HEADER,
  SLOT,
  tableRanges,
  TOC_SIZE,
  type Toc,
} from '../../format/classic/codec.js';
import { u32le } from '../../format/mmcdb/codec.js';
import type { RangeReader } from '../../source/http/range-reader.js';
import type { ByteRange, Lookup } from './lookup.js';
import { checkScanLength } from './mmcdb-remote.js';
import { matchRecords, type Candidate, type ReadTuning, type RecordCodec, type Want } from './records.js';
import { SequentialWindow } from './scan.js';

/** Slots in the first window (before extending it to its block's end). */
const FIRST_WINDOW = 32;
/** Largest window (32 KiB). */
const MAX_WINDOW = 4096;

export interface ClassicLayout {
  format: 'classic';
  /** Slots of all tables. */
  indexSlots: number;
  /** Tables with at least one slot. */
  tables: number;
}

export class ClassicRemote {
  readonly format = 'classic' as const;
  readonly toc: Toc;
  readonly #codec: RecordCodec;
  readonly #t: ReadTuning;
  #size: Promise<number> | undefined;

  constructor(toc: Toc, t: ReadTuning) {
    this.toc = toc;
    this.#t = t;
    const end = toc.dataEnd;
    this.#codec = {
      headerSize: RECORD_HEADER,
      dataEnd: end,
      checkPosition: (pos, referrer) => checkRecordPosition(pos, end, referrer, t.url),
      decode: (bytes, pos) => decodeRecord(bytes, 0, pos, end, t.url),
    };
  }

  /** The tables as the TOC describes them (CLASSIC.md §TOC). */
  layout(): ClassicLayout {
    let slots = 0;
    let tables = 0;
    for (let t = 0; t < 256; t++) {
      slots += this.toc.slots[t]!;
      if (this.toc.slots[t]! > 0) tables++;
    }
    return { format: 'classic', indexSlots: slots, tables };
  }

  /** §Lookup through windows of the table; candidates of each window are matched before the next is read. */
  *lookup(key: Uint8Array, want: Want): Lookup<Uint8Array[]> {
    const h = djbHash(key);
    const t = h & 255;
    const n = this.toc.slots[t]!;
    if (n === 0) return [];
    const tablePos = this.toc.pos[t]!;
    const B = this.#t.blockSize;
    const values: Uint8Array[] = [];
    let i = (h >>> 8) % n;
    let window = FIRST_WINDOW;
    for (let probes = 0; probes < n; ) {
      // Slots i.. up to the window, the block's end, the table's end and the probes left.
      const start = tablePos + i * SLOT;
      const blockEnd = Math.ceil((start + window * SLOT) / B) * B;
      const first = Math.min(Math.floor((blockEnd - start) / SLOT), n - i, n - probes);
      const wrapped = Math.min(window, n - probes) - first; // slots from the table's start, after wrapping
      const ranges: ByteRange[] = [{ start, end: start + first * SLOT }];
      if (wrapped > 0) ranges.push({ start: tablePos, end: tablePos + wrapped * SLOT });
      const got = yield ranges;
      const candidates: Candidate[] = [];
      let ended = false;
      for (let r = 0; r < ranges.length && !ended; r++) {
        const bytes = got[r]!;
        for (let at = 0; at < bytes.length; at += SLOT) {
          probes++;
          const recPos = u32le(bytes, at + 4);
          if (recPos === 0) {
            ended = true; // empty slot (by position, never by hash: CLASSIC.md §Tables)
            break;
          }
          if (u32le(bytes, at) === h) candidates.push({ pos: recPos, slotOffset: ranges[r]!.start + at });
        }
      }
      if (candidates.length > 0) {
        const found = yield* matchRecords(candidates, key, want, this.#codec, this.#t);
        values.push(...found);
        if (want !== 'all' && found.length > 0) return found;
      }
      if (ended) break;
      i = (i + first + Math.max(0, wrapped)) % n;
      window = Math.min(window * 2, MAX_WINDOW);
    }
    return values;
  }

  /** Non-empty slots of all tables (the Reader.size of CLASSIC.md §Statistics), counted once by reading the tables. */
  size(source: RangeReader, scanBytes: number, signal?: AbortSignal): Promise<number> {
    this.#size ??= this.#countSlots(source, scanBytes, signal);
    this.#size.catch(() => {
      this.#size = undefined; // a failed count is tried again next time
    });
    return this.#size;
  }

  async #countSlots(source: RangeReader, scanBytes: number, signal?: AbortSignal): Promise<number> {
    let used = 0;
    const chunk = Math.max(SLOT, scanBytes - (scanBytes % SLOT));
    for (const [start, end] of tableRanges(this.toc)) {
      for (let p = start; p < end; p += chunk) {
        const bytes = await source.readUncached(p, Math.min(end, p + chunk), signal);
        for (let at = 0; at + SLOT <= bytes.length; at += SLOT) if (u32le(bytes, at + 4) !== 0) used++;
      }
    }
    return used;
  }

  /** Every record from 2048 to the end of the records (CLASSIC.md §Records). */
  async *entries(source: RangeReader, scanBytes: number, signal?: AbortSignal): AsyncGenerator<[Uint8Array, Uint8Array]> {
    const end = this.toc.dataEnd;
    const win = new SequentialWindow(source, end, scanBytes, signal);
    for (let pos = TOC_SIZE; pos < end; ) {
      checkRecordPosition(pos, end, pos, this.#t.url);
      const headerAt = await win.ensure(pos, RECORD_HEADER);
      const rec = decodeRecord(win.bytes, headerAt, pos, end, this.#t.url);
      checkScanLength(rec.end - pos, pos, this.#t);
      const at = await win.ensure(pos, rec.end - pos);
      const b = win.bytes;
      yield [
        b.slice(at + RECORD_HEADER, at + RECORD_HEADER + rec.keyLength),
        b.slice(at + RECORD_HEADER + rec.keyLength, at + rec.end - pos),
      ];
      pos = rec.end;
    }
  }

  metadataText(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }
}
