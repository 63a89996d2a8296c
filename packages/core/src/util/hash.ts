// XXH64 for the whole library (FORMAT.md §Conventions). Synchronous from the first
// line: until xxhash-wasm has been instantiated (asynchronously, started at import) the
// plain-TypeScript implementation (xxh64.ts) serves; from then on xxhash-wasm, which is
// 3-4x faster. There is no top-level await, so `require('@mmcdb/core')` works. Async
// APIs that hash a lot (build, verify, analyze) await `hashReady` first.
import xxhash from 'xxhash-wasm';
import { testHooks } from './test-hooks.js';
import { Xxh64State, xxh64Words } from './xxh64.js';

type Api = Awaited<ReturnType<typeof xxhash>>;
let wasm: Api | undefined;

/** Resolves once the fast (WebAssembly) implementation is in place; never rejects. */
export const hashReady: Promise<void> = xxhash().then(
  (api) => {
    wasm = api;
  },
  () => undefined, // no WebAssembly here: the TypeScript implementation keeps serving
);

/** A 64-bit hash as two unsigned 32-bit halves (JS numbers stay exact and fast). */
export interface Hash64 {
  hi: number;
  lo: number;
}

// Splitting a bigint through a shared 8-byte buffer is several times faster than
// two BigInt shifts and Number() conversions.
const split64 = new BigUint64Array(1);
const split32 = new Uint32Array(split64.buffer);

function seedWords(seed: bigint): void {
  split64[0] = seed;
}

export function xxh64(bytes: Uint8Array, seed: bigint): bigint {
  if (wasm !== undefined) return wasm.h64Raw(bytes, seed);
  seedWords(seed);
  const out = { hi: 0, lo: 0 };
  xxh64Words(bytes, split32[1]!, split32[0]!, out);
  return (BigInt(out.hi) << 32n) | BigInt(out.lo);
}

/** xxh64 of `bytes` written into `out` as hi/lo halves (the key hash of FORMAT.md §Index). */
export function xxh64Split(bytes: Uint8Array, seed: bigint, out: Hash64): Hash64 {
  const hook = testHooks.keyHash;
  if (hook === undefined && wasm === undefined) {
    seedWords(seed);
    xxh64Words(bytes, split32[1]!, split32[0]!, out);
    return out;
  }
  split64[0] = hook === undefined ? wasm!.h64Raw(bytes, seed) : hook(bytes);
  out.lo = split32[0]!;
  out.hi = split32[1]!;
  return out;
}

export interface Xxh64Stream {
  update(bytes: Uint8Array): Xxh64Stream;
  digest(): bigint;
}

/** A streaming XXH64 (the body checksum): the fastest implementation available now. */
export function createXxh64(seed: bigint): Xxh64Stream {
  if (wasm !== undefined) return wasm.create64(seed) as Xxh64Stream;
  seedWords(seed);
  return new Xxh64State(split32[1]!, split32[0]!);
}
