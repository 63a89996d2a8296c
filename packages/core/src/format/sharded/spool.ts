// Input for a set build in waves (docs/SHARDS.md §Building): when a build has more
// shards than it may keep open at once, the records are first written as cdbmake text
// to a spool file in the version folder, then read once per wave.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { toBytes, type Bytes } from '../../util/bytes.js';
import { CDBMAKE_LIMITS, countNewlines, scanCdbmakeRecord } from '../../build/cdbmake.js';
import type { CdbmakeProgress } from '../../build/writer.js';
import { MAX_KEY_LENGTH } from '../mmcdb/codec.js';

const CHUNK = 8 << 20;

export class Spool {
  readonly path: string;
  readonly #fd: number;
  readonly #buf = Buffer.allocUnsafe(CHUNK);
  #used = 0;
  #pos = 0;
  records = 0;

  constructor(dir: string) {
    this.path = path.join(dir, `.spool-${process.pid}-${randomBytes(4).toString('hex')}.cdbmake`);
    this.#fd = fs.openSync(this.path, 'wx+', 0o600);
  }

  add(key: Bytes, value: Bytes): boolean {
    const k = toBytes(key, 'key');
    const v = toBytes(value, 'value');
    if (k.length > MAX_KEY_LENGTH) throw new RangeError(`key is ${k.length} bytes; the limit is ${MAX_KEY_LENGTH}`);
    if (v.length > CDBMAKE_LIMITS.maxValue)
      throw new RangeError(`value is ${v.length} bytes; the limit is ${CDBMAKE_LIMITS.maxValue}`);
    this.#write(Buffer.from(`+${k.length},${v.length}:`, 'latin1'));
    this.#write(k);
    this.#write(Buffer.from('->', 'latin1'));
    this.#write(v);
    this.#write(Buffer.from('\n', 'latin1'));
    this.records++;
    return true;
  }

  /** Copies the complete records at the start of `bytes`, as Writer.addCdbmake. */
  addCdbmake(bytes: Uint8Array): CdbmakeProgress {
    const progress: CdbmakeProgress = { consumed: 0, records: 0, dropped: 0, lines: 0 };
    for (let r = scanCdbmakeRecord(bytes, 0); r !== undefined; r = scanCdbmakeRecord(bytes, r.end)) {
      progress.lines += 1 + countNewlines(bytes, r.keyStart, r.keyEnd) + countNewlines(bytes, r.valueStart, r.valueEnd);
      progress.records++;
      progress.consumed = r.end;
    }
    this.#write(bytes.subarray(0, progress.consumed));
    this.records += progress.records;
    return progress;
  }

  #write(bytes: Uint8Array): void {
    if (bytes.length > CHUNK - this.#used) this.#flush();
    if (bytes.length >= CHUNK) {
      this.#writeAt(bytes);
      return;
    }
    this.#buf.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  #flush(): void {
    if (this.#used === 0) return;
    this.#writeAt(this.#buf.subarray(0, this.#used));
    this.#used = 0;
  }

  #writeAt(bytes: Uint8Array): void {
    for (let off = 0; off < bytes.length; ) off += fs.writeSync(this.#fd, bytes, off, bytes.length - off, this.#pos + off);
    this.#pos += bytes.length;
  }

  /** Feeds the spooled records to `into` in 8 MiB reads (after close()). */
  async replay(into: { addCdbmake(bytes: Uint8Array): CdbmakeProgress; ready(): Promise<void> }): Promise<void> {
    let buf = Buffer.allocUnsafe(CHUNK);
    let have = 0;
    for (let pos = 0; ; ) {
      if (have === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]); // one record larger than the buffer
      const n = fs.readSync(this.#fd, buf, have, buf.length - have, pos);
      pos += n;
      have += n;
      const took = into.addCdbmake(buf.subarray(0, have)).consumed;
      buf.copy(buf, 0, took, have);
      have -= took;
      if (n === 0) return;
      await into.ready();
    }
  }

  close(): void {
    this.#flush();
  }

  remove(): void {
    try {
      fs.closeSync(this.#fd);
    } catch {
      // closed already
    }
    fs.rmSync(this.path, { force: true });
  }
}
