// How many shards a set build keeps open at once (docs/SHARDS.md §Building): each
// shard's writer holds a file descriptor and a 1 MiB output buffer, so a build of more
// shards runs in waves over its (spooled) input. Linux: from the open-file limit.
import * as fs from 'node:fs';

const MAX_WAVE = 1024;
const FALLBACK_WAVE = 256;
/** Descriptors left for everything else the process has open. */
const RESERVED_FDS = 256;

let fromLimit: number | undefined;

function openFileLimit(): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The wave size: `maxOpenShards` when given, else from the open-file limit, at most 1024. */
export function waveSize(maxOpenShards: number | undefined): number {
  if (maxOpenShards !== undefined) {
    if (!Number.isInteger(maxOpenShards) || maxOpenShards < 1)
      throw new RangeError(`maxOpenShards must be a positive integer, got ${String(maxOpenShards)}`);
    return maxOpenShards;
  }
  if (fromLimit === undefined) {
    const limit = openFileLimit();
    fromLimit = limit === undefined ? FALLBACK_WAVE : Math.max(16, Math.min(MAX_WAVE, limit - RESERVED_FDS));
  }
  return fromLimit;
}
