// Sequential output through a 1 MiB buffer, with the body checksum (FORMAT.md
// §Checksums) computed as the bytes stream past.
import { createXxh64, type Xxh64Stream } from '../util/hash.js';
import type { AtomicFile } from './atomic-file.js';

const CHUNK = 1 << 20;

export class BufferedOutput {
  readonly #file: AtomicFile;
  readonly #chunk = Buffer.allocUnsafe(CHUNK);
  readonly #view = new DataView(this.#chunk.buffer, this.#chunk.byteOffset, CHUNK);
  // Made at the first flush, not here: by then xxhash-wasm is usually ready (util/hash.ts).
  #hashStream: Xxh64Stream | undefined;
  /** File offset of #chunk[0]. */
  #chunkStart: number;
  #used = 0;

  constructor(file: AtomicFile, start: number) {
    this.#file = file;
    this.#chunkStart = start;
  }

  get position(): number {
    return this.#chunkStart + this.#used;
  }

  /** Room for `n` (≤ 64) bytes, to be filled in place through the returned view. */
  reserve(n: number): { view: DataView; offset: number } {
    if (this.#used + n > CHUNK) this.flush();
    const offset = this.#used;
    this.#used += n;
    return { view: this.#view, offset };
  }

  /** The free part of the buffer, to be filled in place; then advance() by what was used. */
  room(): Uint8Array {
    return this.#chunk.subarray(this.#used);
  }

  advance(n: number): void {
    this.#used += n;
  }

  get empty(): boolean {
    return this.#used === 0;
  }

  write(bytes: Uint8Array): void {
    if (bytes.length > CHUNK - this.#used) {
      this.flush();
      if (bytes.length >= CHUNK) {
        this.#file.writeAt(bytes, this.#chunkStart);
        this.#hash().update(bytes);
        this.#chunkStart += bytes.length;
        return;
      }
    }
    this.#chunk.set(bytes, this.#used);
    this.#used += bytes.length;
  }

  zeros(n: number): void {
    while (n > 0) {
      if (this.#used === CHUNK) this.flush();
      const k = Math.min(n, CHUNK - this.#used);
      this.#chunk.fill(0, this.#used, this.#used + k);
      this.#used += k;
      n -= k;
    }
  }

  flush(): void {
    if (this.#used === 0) return;
    const bytes = this.#chunk.subarray(0, this.#used);
    this.#file.writeAt(bytes, this.#chunkStart);
    this.#hash().update(bytes);
    this.#chunkStart += this.#used;
    this.#used = 0;
  }

  /** Reads back bytes already written (from the buffer or the file). */
  readAt(pos: number, length: number): Buffer {
    if (pos >= this.#chunkStart) {
      const o = pos - this.#chunkStart;
      return this.#chunk.subarray(o, o + length);
    }
    if (pos + length > this.#chunkStart) this.flush();
    return this.#file.readAt(length, pos);
  }

  /** Overwrites bytes already written. The streamed checksum no longer holds after this. */
  patch(pos: number, bytes: Uint8Array): void {
    if (pos >= this.#chunkStart) this.#chunk.set(bytes, pos - this.#chunkStart);
    else {
      if (pos + bytes.length > this.#chunkStart) this.flush();
      this.#file.writeAt(bytes, pos);
    }
  }

  /** xxh64 of every byte flushed so far. */
  checksum(): bigint {
    return this.#hash().digest();
  }

  #hash(): Xxh64Stream {
    return (this.#hashStream ??= createXxh64(0n));
  }
}
