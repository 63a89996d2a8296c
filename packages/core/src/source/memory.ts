// The whole file in one Buffer (the 'memory' backend).
import type { ByteSource } from './byte-source.js';
import { readFully } from './pread.js';

export class MemorySource implements ByteSource {
  readonly data: Buffer;
  readonly size: number;

  constructor(data: Buffer) {
    this.data = data;
    this.size = data.length;
  }

  get heapBytes(): number {
    return this.size;
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
