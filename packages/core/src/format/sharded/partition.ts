// §Partition (docs/SHARDS.md): shard = xxh64(key bytes, seed) mod n, the 64-bit hash
// taken as an unsigned integer. Browser-safe; the addon computes the same in C++
// (packages/native/src/shards.cc) for the builder and the local reader.
import type { Bytes } from '../../util/bytes.js';
import { xxh64 } from '../../util/hash.js';
import { DEFAULT_PARTITION_SEED, MAX_SHARDS } from './manifest.js';

const utf8 = new TextEncoder();

/** The shard of `key` (a string is its UTF-8 bytes) in a set of `n` shards partitioned with `seed`. */
export function shardOf(key: Bytes, seed: bigint, n: number): number {
  let bytes: Uint8Array;
  if (typeof key === 'string') bytes = utf8.encode(key);
  else if (key instanceof Uint8Array) bytes = key;
  else throw new TypeError(`key must be a string or a Uint8Array, got ${key === null ? 'null' : typeof key}`);
  // xxh64(), not xxh64Split(): the test hook that replaces key hashes must not move keys between shards.
  return Number(xxh64(bytes, seed) % BigInt(n));
}

/** Checks a shard count (RangeError unless an integer from 1 to 65,536). */
export function checkShardCount(n: unknown, what = 'shards'): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SHARDS) {
    throw new RangeError(`${what} must be an integer from 1 to ${MAX_SHARDS}, got ${String(n)}`);
  }
  return n;
}

/** The partition seed option: a number, a bigint (below 2^64) or 'random'; default DEFAULT_PARTITION_SEED. */
export function resolvePartitionSeed(seed: unknown, random: () => bigint): bigint {
  if (seed === undefined) return DEFAULT_PARTITION_SEED;
  if (seed === 'random') return random();
  if (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) return BigInt(seed);
  if (typeof seed === 'bigint' && seed >= 0n && seed < 1n << 64n) return seed;
  throw new RangeError(`partitionSeed must be a non-negative integer below 2^64 or 'random', got ${String(seed)}`);
}
