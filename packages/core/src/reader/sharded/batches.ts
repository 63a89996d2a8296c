// Batches over a set: keys grouped by shard (each shard's engine gets its keys in one
// call), then the answers put back in the callers' order.
import type { Bytes } from '../../util/bytes.js';

export interface ShardGroup {
  shard: number;
  keys: Bytes[];
  /** Where each key of the group stands in the caller's list. */
  at: number[];
}

export function groupByShard(keys: readonly Bytes[], shardOf: (k: Bytes) => number): ShardGroup[] {
  const groups = new Map<number, ShardGroup>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const s = shardOf(k);
    let g = groups.get(s);
    if (g === undefined) groups.set(s, (g = { shard: s, keys: [], at: [] }));
    g.keys.push(k);
    g.at.push(i);
  }
  return [...groups.values()];
}

export function scatter<T>(n: number, groups: readonly ShardGroup[], parts: readonly (readonly T[])[]): T[] {
  const out = new Array<T>(n);
  for (let g = 0; g < groups.length; g++) {
    const { at } = groups[g]!;
    const part = parts[g]!;
    for (let j = 0; j < at.length; j++) out[at[j]!] = part[j]!;
  }
  return out;
}
