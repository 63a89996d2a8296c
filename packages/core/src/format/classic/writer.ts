// The classic djb cdb writer (docs/CLASSIC.md §Writer): byte-identical to tinycdb
// `cdb -c` and freecdb `cdbmake` for the same input. Records stream to a temp file from
// offset 2048; memory holds a djb hash (4 bytes) and a position (8 bytes) per record,
// plus, for duplicates other than 'all', an open-addressing set of distinct keys
// (4 bytes per slot, 2–4 slots per distinct key). finish() lays the 256 tables out after
// the records, writes the TOC at 0 and publishes through AtomicFile.
import { ftruncateSync } from 'node:fs';
import { toBytes, type Bytes } from '../../util/bytes.js';
import { CdbError } from '../../util/errors.js';
import { testHooks } from '../../util/test-hooks.js';
import type { AtomicFile } from '../../build/atomic-file.js';
import { BufferedOutput } from '../../build/buffered-output.js';
import { addCdbmakeRecords, checkCdbmakeBytes } from '../../build/cdbmake.js';
import { DuplicateSet, mix32 } from '../../build/duplicate-set.js';
import { BuildSession, preview } from '../../build/session.js';
import type { BuildResult, CdbmakeProgress, Writer } from '../../build/writer.js';
import { resolveWriterOptions, type WriterOptions } from '../writer-options.js';
import { djbHash, DJB_START, MAX_POSITION, RECORD_HEADER, SLOT, TABLES, TOC_SIZE } from './codec.js';

/** The largest file the classic writer produces: 2^32 − 1, the largest offset a u32 holds (lowered by a test hook). */
function maxFileSize(): number {
  return testHooks.classicMaxFileSize ?? MAX_POSITION;
}

export function createClassicWriter(path: string, options: WriterOptions): Writer {
  return new ClassicWriter(path, options);
}

/** Rejects the options that have no meaning in a classic file. */
function checkClassicOptions(o: WriterOptions): void {
  if (o === null || typeof o !== 'object') throw new TypeError('options must be an object');
  if (o.seed !== undefined) throw new RangeError("format 'classic' has no seed: the djb hash is unseeded");
  if (o.valueAlign !== undefined && o.valueAlign !== 1) {
    throw new RangeError(`format 'classic' cannot align values (valueAlign must be 1, got ${String(o.valueAlign)})`);
  }
  if (o.metadata !== undefined) throw new RangeError("format 'classic' cannot store metadata");
  if (o.load !== undefined && o.load !== 0.5) {
    throw new RangeError(`format 'classic' has a fixed load of 0.5 (2 slots per record), got load ${String(o.load)}`);
  }
}

/** Growable typed arrays, 12 bytes per record. */
class RecordList {
  hash = new Uint32Array(1024);
  /** Temp-file position; negated when the record was replaced ('last') and must be dropped. */
  pos = new Float64Array(1024);
  length = 0;

  push(h: number, p: number): number {
    if (this.length === this.hash.length) {
      const cap = this.length * 2;
      const hash = new Uint32Array(cap);
      hash.set(this.hash);
      const pos = new Float64Array(cap);
      pos.set(this.pos);
      this.hash = hash;
      this.pos = pos;
    }
    this.hash[this.length] = h;
    this.pos[this.length] = p;
    return this.length++;
  }
}

export class ClassicWriter implements Writer {
  readonly #options: ReturnType<typeof resolveWriterOptions>;
  readonly #session: BuildSession;
  readonly #out: BufferedOutput;
  readonly #records = new RecordList();
  readonly #keys: DuplicateSet | undefined;
  /** Live records and the bytes they take (header + key + value). */
  #live = 0;
  #liveBytes = 0;
  #replaced = 0;
  readonly #warnProbes: boolean;

  constructor(path: string, options: WriterOptions = {}) {
    checkClassicOptions(options);
    this.#warnProbes = options.maxProbeWarning !== undefined;
    this.#options = resolveWriterOptions(options);
    this.#session = new BuildSession(path, this.#options);
    this.#out = new BufferedOutput(this.#session.file, TOC_SIZE);
    this.#keys = this.#options.duplicates === 'all' ? undefined : new DuplicateSet((r) => mix32(this.#records.hash[r]!));
  }

  get count(): number {
    return this.#live;
  }

  get bytesWritten(): number {
    return this.#out.position;
  }

  addCdbmake(bytes: Uint8Array): CdbmakeProgress {
    this.#session.checkOpen();
    return addCdbmakeRecords(this, checkCdbmakeBytes(bytes));
  }

  add(key: Bytes, value: Bytes): boolean {
    this.#session.checkOpen();
    const k = toBytes(key, 'key');
    const v = toBytes(value, 'value');
    try {
      const h = djbHash(k);
      let earlier: [slot: number, record: number] | undefined;
      if (this.#keys) {
        earlier = this.#findEarlier(h, k);
        if (earlier !== undefined) {
          if (this.#options.duplicates === 'first') return false;
          if (this.#options.duplicates === 'error') {
            throw new CdbError('ERR_CDB_DUPLICATE', `duplicate key ${JSON.stringify(preview(k))}`, {
              path: this.#session.file.target,
            });
          }
        }
      }
      const size = RECORD_HEADER + k.length + v.length;
      let liveBytes = this.#liveBytes + size;
      let live = this.#live + 1;
      if (earlier !== undefined) {
        liveBytes -= this.#recordSize(earlier[1]);
        live--;
      }
      // Final file: TOC + records + 2 slots per record. Every position must fit in a u32.
      const fileEnd = TOC_SIZE + liveBytes + 2 * SLOT * live;
      if (fileEnd > maxFileSize()) {
        throw new CdbError(
          'ERR_CDB_TOO_LARGE',
          `a classic cdb file cannot pass ${maxFileSize()} bytes (this record would make it ${fileEnd})`,
          { path: this.#session.file.target },
        );
      }
      const pos = this.#writeRecord(k, v);
      const r = this.#records.push(h, pos);
      if (earlier !== undefined) {
        // 'last', like tinycdb -r: the earlier record leaves the tables and its bytes go.
        this.#records.pos[earlier[1]] = -this.#records.pos[earlier[1]]!;
        this.#keys!.replace(earlier[0], r);
        this.#replaced++;
      } else {
        this.#keys?.add(r);
      }
      this.#live = live;
      this.#liveBytes = liveBytes;
      return true;
    } catch (err) {
      this.abort(err);
      throw err;
    }
  }

  async finish(): Promise<BuildResult> {
    this.#session.checkOpen();
    this.#session.crashPoint('after-records');
    return this.#session.step(() => this.#finishSync());
  }

  abort(_reason?: unknown): void {
    this.#session.abort();
  }

  #writeRecord(k: Uint8Array, v: Uint8Array): number {
    const out = this.#out;
    const pos = out.position;
    const header = out.reserve(RECORD_HEADER);
    header.view.setUint32(header.offset, k.length, true);
    header.view.setUint32(header.offset + 4, v.length, true);
    out.write(k);
    out.write(v);
    return pos;
  }

  /** Bytes of the live record `r` in the temp file. */
  #recordSize(r: number): number {
    const b = this.#out.readAt(this.#records.pos[r]!, RECORD_HEADER);
    return RECORD_HEADER + b.readUInt32LE(0) + b.readUInt32LE(4);
  }

  /** The live record holding `key`, with its KeySet slot, if any. */
  #findEarlier(h: number, key: Uint8Array): [number, number] | undefined {
    for (const [slot, r] of this.#keys!.candidates(mix32(h))) {
      const pos = this.#records.pos[r]!;
      const klen = this.#out.readAt(pos, 4).readUInt32LE(0);
      if (klen !== key.length) continue;
      if (Buffer.compare(this.#out.readAt(pos + RECORD_HEADER, klen), key) === 0) return [slot, r];
    }
    return undefined;
  }

  /**
   * Drops replaced records by moving the later bytes down, as tinycdb -r does at each
   * replacement (here once, at the end). Returns the new end of the records.
   */
  #compact(dataEnd: number): number {
    const { pos, length } = this.#records;
    let shift = 0;
    // A run of live bytes [runStart, runEnd) still to move down by `shift`.
    let runStart = -1;
    let runEnd = -1;
    const move = () => {
      if (runStart < 0 || shift === 0) return;
      const step = 1 << 20;
      for (let p = runStart; p < runEnd; p += step) {
        const chunk = this.#session.file.readAt(Math.min(step, runEnd - p), p);
        this.#session.file.writeAt(chunk, p - shift);
      }
    };
    for (let r = 0; r < length; r++) {
      const p = Math.abs(pos[r]!);
      const next = r + 1 < length ? Math.abs(pos[r + 1]!) : dataEnd;
      if (pos[r]! < 0) {
        move();
        runStart = -1;
        shift += next - p;
      } else {
        if (runStart < 0) runStart = p;
        runEnd = next;
        pos[r] = p - shift;
      }
    }
    move();
    return dataEnd - shift;
  }

  #finishSync(): BuildResult {
    const opts = this.#options;
    this.#out.flush();
    let dataEnd = this.#out.position;
    if (this.#replaced > 0) {
      const tempEnd = dataEnd;
      dataEnd = this.#compact(tempEnd);
    }
    const { hash, pos, length } = this.#records;
    const live = this.#live;
    if (dataEnd + 2 * SLOT * live > maxFileSize()) {
      throw new CdbError('ERR_CDB_TOO_LARGE', `a classic cdb file cannot pass ${maxFileSize()} bytes`, {
        path: this.#session.file.target,
      });
    }
    // Live records grouped by table, in insertion order (a stable counting sort).
    const start = new Float64Array(TABLES + 1);
    for (let r = 0; r < length; r++) if (pos[r]! >= 0) start[(hash[r]! & 255) + 1]!++;
    let largest = 0;
    for (let t = 0; t < TABLES; t++) {
      largest = Math.max(largest, start[t + 1]!);
      start[t + 1]! += start[t]!;
    }
    const order = new Uint32Array(live);
    const fill = start.slice(0, TABLES);
    for (let r = 0; r < length; r++) if (pos[r]! >= 0) order[fill[hash[r]! & 255]!++] = r;

    const out = new BufferedOutput(this.#session.file, dataEnd);
    const toc = Buffer.alloc(TOC_SIZE);
    const slotHash = new Uint32Array(2 * largest);
    const slotPos = new Uint32Array(2 * largest);
    const table = Buffer.alloc(2 * largest * SLOT);
    let maxProbe = 0;
    for (let t = 0; t < TABLES; t++) {
      const count = start[t + 1]! - start[t]!;
      const n = 2 * count;
      toc.writeUInt32LE(out.position, t * 8);
      toc.writeUInt32LE(n, t * 8 + 4);
      if (n === 0) continue;
      slotHash.fill(0, 0, n);
      slotPos.fill(0, 0, n);
      for (let j = start[t]!; j < start[t + 1]!; j++) {
        const r = order[j]!;
        const h = hash[r]!;
        let i = (h >>> 8) % n;
        let probe = 0;
        while (slotPos[i] !== 0) {
          if (++i === n) i = 0;
          probe++;
        }
        if (probe > maxProbe) maxProbe = probe;
        slotHash[i] = h;
        slotPos[i] = pos[r]!;
      }
      for (let i = 0; i < n; i++) {
        table.writeUInt32LE(slotHash[i]!, i * SLOT);
        table.writeUInt32LE(slotPos[i]!, i * SLOT + 4);
      }
      out.write(table.subarray(0, n * SLOT));
    }
    out.flush();
    const fileEnd = out.position;
    if (this.#replaced > 0) {
      // The temp file held the replaced records too: cut what lies past the new end.
      truncate(this.#session.file, fileEnd);
    }
    // djb clusters ordinary sequential keys into long runs (key0…key799999 probe 2000+
    // slots), so the default threshold would warn about harmless data: classic warns only
    // when the caller asked for a threshold.
    if (this.#warnProbes && maxProbe > opts.maxProbeWarning) {
      opts.onWarning(
        `the longest classic cdb probe is ${maxProbe} slots: keys may have been crafted to collide ` +
          `(the djb hash has no seed; prefer the mmcdb format with seed: 'random' for untrusted keys)`,
      );
    }
    this.#session.file.writeAt(toc, 0);
    this.#session.crashPoint('after-index');
    this.#session.commit();
    return {
      path: this.#session.file.target,
      format: 'classic',
      records: live,
      bytes: fileEnd,
      seed: BigInt(DJB_START),
      indexSlots: 2 * live,
      maxProbe,
      seconds: this.#session.seconds,
    };
  }
}

/** Cuts the temp file (AtomicFile exposes its descriptor). */
function truncate(file: AtomicFile, length: number): void {
  ftruncateSync(file.fd, length);
}
