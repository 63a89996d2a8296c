// Positional reads on an open file descriptor (the 'pread' backend), for files too big
// to hold in memory: synchronous ones for get()/getMany(), and readRanges() for
// getManyAsync (reader/pread-async.ts), which never holds the event loop long
// (range-reads.ts).
import * as fs from 'node:fs';
import { CdbError } from '../util/errors.js';
import type { ByteSource } from './byte-source.js';
import { RangeReads, type FileRange } from './range-reads.js';

export type { FileRange };

const SCRATCH = 4096;

export class PreadSource implements ByteSource {
  readonly data = Buffer.allocUnsafeSlow(SCRATCH);
  readonly size: number;
  readonly heapBytes = 0;
  readonly #fd: number;
  readonly #path: string | undefined;
  #closed = false;
  /** Async lookups running (begin()/end()); close() waits for them before closing the descriptor. */
  #users = 0;
  #closeWhenIdle = false;
  readonly #reads: RangeReads;
  /** File range currently held in `data`, to serve consecutive small loads with one read. */
  #start = 0;
  #end = 0;

  constructor(fd: number, size: number, path?: string) {
    this.#fd = fd;
    this.size = size;
    this.#path = path;
    this.#reads = new RangeReads(fd, (at) => this.#truncated(at));
  }

  load(pos: number, len: number): number {
    if (pos >= this.#start && pos + len <= this.#end) return pos - this.#start;
    // Read a little ahead: index probes walk forward slot by slot.
    const want = Math.min(Math.max(len, 256), SCRATCH, this.size - pos);
    const got = readFully(this.#fd, this.data, 0, want, pos);
    if (got < len) throw this.#truncated(pos + got);
    this.#start = pos;
    this.#end = pos + got;
    return 0;
  }

  bytes(pos: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    const got = readFully(this.#fd, out, 0, len, pos);
    if (got < len) throw this.#truncated(pos + got);
    return out;
  }

  async prefetch(pos: number, len: number): Promise<void> {
    const chunk = Buffer.allocUnsafe(Math.min(len, 2 << 20));
    for (let p = pos; p < pos + len && !this.#closed; p += chunk.length) {
      const bytesRead = await new Promise<number>((resolve, reject) =>
        fs.read(this.#fd, chunk, 0, Math.min(chunk.length, pos + len - p), p, (err, n) => (err ? reject(err) : resolve(n))),
      );
      if (bytesRead === 0) break;
    }
  }

  /** An async lookup starts: the descriptor stays open until its end(), even across close(). */
  begin(): void {
    this.#users++;
  }

  end(): void {
    if (--this.#users === 0 && this.#closeWhenIdle) {
      this.#closeWhenIdle = false;
      fs.closeSync(this.#fd);
    }
  }

  /** The bytes of every range (RangeReads.read). Call between begin() and end(). */
  readRanges(ranges: readonly FileRange[], cancel?: Int32Array): Promise<Buffer[]> {
    return this.#reads.read(ranges, cancel);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#users > 0) this.#closeWhenIdle = true;
    else fs.closeSync(this.#fd);
  }

  #truncated(at: number): CdbError {
    return new CdbError('ERR_CDB_TRUNCATED', 'file became shorter while open', { offset: at, path: this.#path });
  }
}

/** Reads until `len` bytes or end of file; returns the count read. */
export function readFully(fd: number, buf: Uint8Array, off: number, len: number, pos: number): number {
  let done = 0;
  while (done < len) {
    const n = fs.readSync(fd, buf, off + done, Math.min(len - done, 0x40000000), pos + done);
    if (n === 0) break;
    done += n;
  }
  return done;
}
