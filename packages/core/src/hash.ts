// xxh64 through xxhash-wasm (FORMAT.md §Conventions). The WebAssembly module is
// instantiated once at import time (top-level await) so every API can stay synchronous.
import xxhash from 'xxhash-wasm';

const api = await xxhash();

// Splitting a bigint through a shared 8-byte buffer is several times faster than
// two BigInt shifts and Number() conversions.
const split64 = new BigUint64Array(1);
const split32 = new Uint32Array(split64.buffer);

/** A 64-bit hash as two unsigned 32-bit halves (JS numbers stay exact and fast). */
export interface Hash64 {
  hi: number;
  lo: number;
}

export function xxh64(bytes: Uint8Array, seed: bigint): bigint {
  return api.h64Raw(bytes, seed);
}

let keyHashOverride: ((key: Uint8Array) => bigint) | undefined;

/**
 * Test hook: replaces the key hash of the pure-TypeScript writer and readers (not the
 * native addon's), e.g. to force full 64-bit collisions. Pass undefined to restore.
 */
export function setKeyHashForTesting(fn: ((key: Uint8Array) => bigint) | undefined): void {
  keyHashOverride = fn;
}

/** Whether setKeyHashForTesting() replaced the key hash (native hashing must then stay off). */
export function keyHashOverridden(): boolean {
  return keyHashOverride !== undefined;
}

/** xxh64 of `bytes` written into `out` as hi/lo halves. */
export function xxh64Split(bytes: Uint8Array, seed: bigint, out: Hash64): Hash64 {
  split64[0] = keyHashOverride === undefined ? api.h64Raw(bytes, seed) : keyHashOverride(bytes);
  out.lo = split32[0]!;
  out.hi = split32[1]!;
  return out;
}

export interface Xxh64Stream {
  update(bytes: Uint8Array): Xxh64Stream;
  digest(): bigint;
}

export function createXxh64(seed: bigint): Xxh64Stream {
  return api.create64(seed) as Xxh64Stream;
}
