// Buffered, binary-safe writing to stdout with backpressure. A closed pipe (EPIPE, e.g.
// `cdb dump x | head`) ends the command quietly.
const CHUNK = 64 * 1024;

export class Output {
  readonly #stream: NodeJS.WritableStream & { writableNeedDrain?: boolean };
  #buf = Buffer.allocUnsafe(CHUNK);
  #len = 0;

  constructor(stream: NodeJS.WritableStream = process.stdout) {
    this.#stream = stream;
  }

  /** Queues bytes or UTF-8 text; call flush() (or drain()) to send. */
  write(data: Uint8Array | string): void {
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
        this.#stream.write(Buffer.from(data.buffer, data.byteOffset, data.length));
        return;
      }
    }
    this.#buf.set(data, this.#len);
    this.#len += data.length;
  }

  /** Sends what is buffered when it is big, waiting for the stream to drain if needed. */
  async drain(): Promise<void> {
    if (this.#len < CHUNK / 2 && !this.#stream.writableNeedDrain) return;
    this.#send();
    if (this.#stream.writableNeedDrain) await new Promise<void>((resolve) => this.#stream.once('drain', resolve));
  }

  /** Sends everything and waits until the stream has taken it. */
  async flush(): Promise<void> {
    this.#send();
    await new Promise<void>((resolve) => this.#stream.write('', () => resolve()));
  }

  #send(): void {
    if (this.#len === 0) return;
    this.#stream.write(this.#buf.subarray(0, this.#len));
    this.#buf = Buffer.allocUnsafe(CHUNK);
    this.#len = 0;
  }
}

/** Exit quietly when the reader of stdout goes away. */
export function handleEpipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}
