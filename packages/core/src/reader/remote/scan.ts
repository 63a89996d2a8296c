// Sequential reads for entries() and whole-table walks: the file in large ranges
// (`scanBytes`, never cached), the next one requested while the current one is consumed.
// A record that crosses a range boundary keeps its start and the window grows just enough
// to hold it.
import type { RangeReader } from '../../source/http/range-reader.js';

export class SequentialWindow {
  readonly #source: RangeReader;
  readonly #end: number;
  readonly #chunk: number;
  readonly #signal: AbortSignal | undefined;
  #buf: Uint8Array = new Uint8Array(0);
  #bufStart = 0;
  #next: { start: number; bytes: Promise<Uint8Array> } | undefined;

  constructor(source: RangeReader, end: number, chunk: number, signal?: AbortSignal) {
    this.#source = source;
    this.#end = end;
    this.#chunk = chunk;
    this.#signal = signal;
  }

  get bytes(): Uint8Array {
    return this.#buf;
  }

  /** Makes [pos, pos + len) (inside [window start, end)) readable in `bytes`; returns pos's index there. */
  async ensure(pos: number, len: number): Promise<number> {
    const have = this.#bufStart + this.#buf.length;
    if (pos >= this.#bufStart && pos + len <= have) return pos - this.#bufStart;
    const pieces: Uint8Array[] = pos < have && pos >= this.#bufStart ? [this.#buf.subarray(pos - this.#bufStart)] : [];
    let at = pieces.length > 0 ? have : pos;
    while (at < pos + len) {
      let piece: Uint8Array;
      if (this.#next !== undefined && this.#next.start === at) piece = await this.#next.bytes;
      else piece = await this.#source.readUncached(at, Math.min(this.#end, Math.max(at + this.#chunk, pos + len)), this.#signal);
      this.#next = undefined;
      pieces.push(piece);
      at += piece.length;
    }
    this.#buf = pieces.length === 1 ? pieces[0]! : concat(pieces, at - pos);
    this.#bufStart = pos;
    if (at < this.#end) {
      const bytes = this.#source.readUncached(at, Math.min(this.#end, at + this.#chunk), this.#signal);
      bytes.catch(() => undefined); // a failed read-ahead is reported when (if) it is used
      this.#next = { start: at, bytes };
    }
    return 0;
  }
}

function concat(pieces: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of pieces) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
