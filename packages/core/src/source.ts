// Where a pure-TypeScript engine gets its bytes: the whole file in memory, or
// positional reads on a file descriptor.
import * as fs from 'node:fs';
import { CdbError } from './errors.js';

export interface ByteSource {
  readonly size: number;
  /** Buffer that load() makes bytes available in. */
  readonly data: Buffer;
  /**
   * Makes bytes [pos, pos + len) readable in `data` and returns their offset there.
   * The caller has checked the range against `size`; len ≤ 64 except for whole
   * reads through bytes(). Valid until the next load().
   */
  load(pos: number, len: number): number;
  /** Bytes [pos, pos + len): a view of the file's buffer (memory) or a fresh copy (pread). */
  bytes(pos: number, len: number): Buffer;
  /** Reads [pos, pos + len) into the page cache without blocking the event loop (pread only). */
  prefetch?(pos: number, len: number): Promise<void>;
  close(): void;
}

export class MemorySource implements ByteSource {
  readonly data: Buffer;
  readonly size: number;

  constructor(data: Buffer) {
    this.data = data;
    this.size = data.length;
  }

  load(pos: number): number {
    return pos;
  }

  bytes(pos: number, len: number): Buffer {
    return this.data.subarray(pos, pos + len);
  }

  close(): void {}

  /** Reads a whole file into one buffer that starts at offset 0 of its ArrayBuffer (so aligned values stay aligned). */
  static fromFile(fd: number, size: number): MemorySource {
    const data = Buffer.allocUnsafeSlow(size);
    readFully(fd, data, 0, size, 0);
    return new MemorySource(data);
  }
}

const SCRATCH = 4096;

export class PreadSource implements ByteSource {
  readonly data = Buffer.allocUnsafeSlow(SCRATCH);
  readonly size: number;
  readonly #fd: number;
  #closed = false;
  /** File range currently held in `data`, to serve consecutive small loads with one read. */
  #start = 0;
  #end = 0;

  constructor(fd: number, size: number) {
    this.#fd = fd;
    this.size = size;
  }

  load(pos: number, len: number): number {
    if (pos >= this.#start && pos + len <= this.#end) return pos - this.#start;
    // Read a little ahead: index probes walk forward slot by slot.
    const want = Math.min(Math.max(len, 256), SCRATCH, this.size - pos);
    const got = readFully(this.#fd, this.data, 0, want, pos);
    if (got < len) throw truncated(pos + got);
    this.#start = pos;
    this.#end = pos + got;
    return 0;
  }

  bytes(pos: number, len: number): Buffer {
    const out = Buffer.allocUnsafe(len);
    const got = readFully(this.#fd, out, 0, len, pos);
    if (got < len) throw truncated(pos + got);
    return out;
  }

  async prefetch(pos: number, len: number): Promise<void> {
    const chunk = Buffer.allocUnsafe(Math.min(len, 2 << 20));
    const handle = { fd: this.#fd };
    for (let p = pos; p < pos + len && !this.#closed; p += chunk.length) {
      const { bytesRead } = await new Promise<{ bytesRead: number }>((resolve, reject) =>
        fs.read(handle.fd, chunk, 0, Math.min(chunk.length, pos + len - p), p, (err, bytesRead) =>
          err ? reject(err) : resolve({ bytesRead }),
        ),
      );
      if (bytesRead === 0) break;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    fs.closeSync(this.#fd);
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

function truncated(at: number): CdbError {
  return new CdbError('ERR_CDB_TRUNCATED', 'file became shorter while open', { offset: at });
}
