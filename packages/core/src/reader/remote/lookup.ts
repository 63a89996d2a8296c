// Lookups as generators, so that many run in lockstep (docs/REMOTE.md §Cost model): a
// lookup yields the byte ranges it needs next and receives their bytes; the driver
// collects what every pending lookup needs, reads it all as one round (cache, merged and
// parallel requests), and resumes each. get() is a batch of one; getMany(1,000 keys) is
// two rounds — slots, then records — plus one only for the keys that need more (a value
// longer than the first read, a probe run past the first slot range).
import type { ByteRange } from '../../source/http/transport.js';

export type { ByteRange };

/** Yields the ranges it needs, receives their bytes (same order), returns its answer. */
export type Lookup<T> = Generator<ByteRange[], T, Uint8Array[]>;

export async function runLookups<T>(
  lookups: readonly Lookup<T>[],
  read: (ranges: ByteRange[]) => Promise<Uint8Array[]>,
): Promise<T[]> {
  const results = new Array<T>(lookups.length);
  let pending: Array<{ index: number; needs: ByteRange[] }> = [];
  const step = (index: number, bytes: Uint8Array[] | undefined): void => {
    const r = bytes === undefined ? lookups[index]!.next() : lookups[index]!.next(bytes);
    if (r.done) results[index] = r.value;
    else pending.push({ index, needs: r.value });
  };
  for (let i = 0; i < lookups.length; i++) step(i, undefined);
  while (pending.length > 0) {
    const round = pending;
    pending = [];
    const all = await read(round.flatMap((p) => p.needs));
    let at = 0;
    for (const p of round) {
      step(p.index, all.slice(at, at + p.needs.length));
      at += p.needs.length;
    }
  }
  return results;
}
