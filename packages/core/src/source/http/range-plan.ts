// Which requests a round of reads needs (docs/REMOTE.md §Cost model): the blocks that are
// neither cached nor already on their way, grouped into runs of consecutive blocks, runs
// closer than the max gap merged into one range (the gap is fetched too, and cached).
// Pure functions, so the merging rules are tested on their own.

/** A run of blocks [first, last] fetched as one range. */
export interface BlockRun {
  first: number;
  last: number;
}

/**
 * Runs over the sorted, distinct block indexes `missing`. Two runs merge when the blocks
 * between them number at most `maxGapBlocks` and none of them is `available` (cached or in
 * flight): merging never fetches a block twice.
 */
export function planRuns(missing: readonly number[], maxGapBlocks: number, available: (block: number) => boolean): BlockRun[] {
  const runs: BlockRun[] = [];
  for (const b of missing) {
    const last = runs[runs.length - 1];
    if (last !== undefined && b === last.last + 1) {
      last.last = b;
      continue;
    }
    if (last !== undefined && b - last.last - 1 <= maxGapBlocks && !anyAvailable(last.last + 1, b - 1, available)) {
      last.last = b;
      continue;
    }
    runs.push({ first: b, last: b });
  }
  return runs;
}

function anyAvailable(from: number, to: number, available: (block: number) => boolean): boolean {
  for (let i = from; i <= to; i++) if (available(i)) return true;
  return false;
}

/** The blocks [first, last] that hold bytes [start, end) (end > start). */
export function blocksOf(start: number, end: number, blockSize: number): { first: number; last: number } {
  return { first: Math.floor(start / blockSize), last: Math.floor((end - 1) / blockSize) };
}
