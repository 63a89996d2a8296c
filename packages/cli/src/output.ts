// Buffered, binary-safe writing to stdout with backpressure. Errors of the stream are
// never left unhandled: a closed pipe (EPIPE, e.g. `cdb dump x | head`) ends the command
// quietly with exit 0 (StdoutClosed), any other (ENOSPC on `> /dev/full`, EIO) fails it
// with one line and exit 111 like every other error.
import { CliError, describeSystemError, StdoutClosed } from './errors.js';

const CHUNK = 64 * 1024;

type Stream = NodeJS.WritableStream & { writableNeedDrain?: boolean };

export class Output {
  readonly #stream: Stream;
  #buf = Buffer.allocUnsafe(CHUNK);
  #len = 0;
  #error: unknown;
  readonly #waiters = new Set<(err: unknown) => void>();

  constructor(stream: Stream) {
    this.#stream = stream;
    stream.on('error', (err: unknown) => {
      this.#error ??= toOutputError(err);
      for (const w of this.#waiters) w(this.#error);
      this.#waiters.clear();
    });
  }

  /** Queues bytes or UTF-8 text; call flush() (or drain()) to send. */
  write(data: Uint8Array | string): void {
    this.#check();
    if (typeof data === 'string') {
      if (data.length * 3 > this.#buf.length - this.#len) {
        this.write(Buffer.from(data, 'utf8'));
        return;
      }
      this.#len += this.#buf.write(data, this.#len, 'utf8');
      return;
    }
    if (data.length > this.#buf.length - this.#len) {
      this.#send();
      if (data.length >= CHUNK) {
        this.#raw(Buffer.from(data.buffer, data.byteOffset, data.length));
        return;
      }
    }
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** Queues bytes[start, end) without a view of them (cdb dump's forEachRawAsync records). */
  writeRange(bytes: Uint8Array, start: number, end: number): void {
    const len = end - start;
    if (len > this.#buf.length - this.#len) {
      // Large ranges go to the stream as a view (write()): safe for cdb dump, whose bytes
      // are views of the mapping or Buffers of their own — never memory reused later.
      this.write(bytes.subarray(start, end));
      return;
    }
    this.#check();
    const buf = this.#buf;
    let at = this.#len;
    // Short keys and values: a loop beats the native copy's call cost.
    if (len <= 32) for (let i = start; i < end; i++) buf[at++] = bytes[i]!;
    else {
      buf.set(bytes.subarray(start, end), at);
      at += len;
    }
    this.#len = at;
  }

  /**
   * Queues a cdbmake record header, `+klen,dlen:` (cdb dump's hot path: no string is
   * made for it).
   */
  writeCdbmakeHeader(klen: number, dlen: number): void {
    if (this.#buf.length - this.#len < 40) this.#send(); // two 16-digit numbers and 3 bytes
    this.#check();
    const buf = this.#buf;
    let at = this.#len;
    buf[at++] = 0x2b; // +
    at = writeDecimal(buf, at, klen);
    buf[at++] = 0x2c; // ,
    at = writeDecimal(buf, at, dlen);
    buf[at++] = 0x3a; // :
    this.#len = at;
  }

  /** Queues one byte. */
  writeByte(byte: number): void {
    if (this.#len === this.#buf.length) this.#send();
    this.#check();
    this.#buf[this.#len++] = byte;
  }

  /** Sends what is buffered when it is big, waiting for the stream to drain if needed. */
  async drain(): Promise<void> {
    this.#check();
    if (this.#len < CHUNK / 2 && !this.#stream.writableNeedDrain) return;
    this.#send();
    if (this.#stream.writableNeedDrain) await this.#wait((done) => this.#stream.once('drain', () => done()));
  }

  /** Sends everything and waits until the stream has taken it. */
  async flush(): Promise<void> {
    this.#send();
    await this.#wait((done) => this.#stream.write('', (err?: Error | null) => done(err ?? undefined)));
  }

  #wait(start: (done: (err?: unknown) => void) => void): Promise<void> {
    this.#check();
    return new Promise<void>((resolve, reject) => {
      const fail = (err: unknown) => reject(err);
      this.#waiters.add(fail);
      start((err) => {
        this.#waiters.delete(fail);
        if (err !== undefined) this.#error ??= toOutputError(err);
        if (this.#error !== undefined) reject(this.#error);
        else resolve();
      });
    });
  }

  #check(): void {
    if (this.#error !== undefined) throw this.#error;
  }

  #send(): void {
    if (this.#len === 0) return;
    this.#raw(this.#buf.subarray(0, this.#len));
    this.#buf = Buffer.allocUnsafe(CHUNK);
    this.#len = 0;
  }

  #raw(bytes: Uint8Array): void {
    try {
      this.#stream.write(bytes);
    } catch (err) {
      // Synchronous streams (stdout redirected to a file) may throw instead of emitting.
      this.#error ??= toOutputError(err);
    }
    this.#check();
  }
}

/** Writes n (an integer in [0, 2^53)) in decimal at buf[at]; returns the offset after it. */
function writeDecimal(buf: Buffer, at: number, n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  let p = at + digits;
  for (let x = n; p > at; x = Math.floor(x / 10)) buf[--p] = 0x30 + (x % 10);
  return at + digits;
}

function toOutputError(err: unknown): unknown {
  if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') return new StdoutClosed();
  const text = describeSystemError(err) ?? (err instanceof Error ? err.message : String(err));
  return new CliError(`cannot write to stdout: ${text}`, undefined, { cause: err });
}
