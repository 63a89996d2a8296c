// The addon's XXH64 (written from the spec) against xxhash-wasm's h64Raw.
import { describe, expect, it } from 'vitest';
import { refHasher, testAddon } from './helpers/native.js';

const xx = await refHasher();

// Deterministic PRNG (xorshift32) so a failure is reproducible.
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

function randomBytes(next: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = next() & 255;
  return b;
}

function nativeHash(bytes: Uint8Array, seed: bigint): bigint {
  return testAddon.xxh64(bytes, Number(seed >> 32n), Number(seed & 0xffffffffn));
}

describe('xxh64 (native) = xxhash-wasm h64Raw', () => {
  const next = rng(0x5eed);
  const r64 = () => (BigInt(next()) << 32n) | BigInt(next());
  const seeds = [0n, 1n, (1n << 64n) - 1n, 0x6d6d636462763031n, r64(), r64(), r64()];

  it('every length 0..300 with every seed', () => {
    for (const seed of seeds) {
      for (let len = 0; len <= 300; len++) {
        const bytes = randomBytes(next, len);
        expect(nativeHash(bytes, seed), `len ${len} seed ${seed}`).toBe(xx.h64Raw(bytes, seed));
      }
    }
  });

  it('unaligned views and large inputs', () => {
    const big = randomBytes(next, 5 * 1024 * 1024 + 13);
    for (const seed of seeds) expect(nativeHash(big, seed)).toBe(xx.h64Raw(big, seed));
    for (let off = 1; off < 9; off++) {
      const view = big.subarray(off, off + 1000 + off);
      expect(nativeHash(view, 7n)).toBe(xx.h64Raw(view, 7n));
    }
  });

  it('2,000 random (length, seed) pairs', () => {
    for (let i = 0; i < 2000; i++) {
      const bytes = randomBytes(next, next() % 2048);
      const seed = r64();
      expect(nativeHash(bytes, seed)).toBe(xx.h64Raw(bytes, seed));
    }
  });

  it('known vectors: xxh64("", 0) and the FORMAT.md §Example hashes', () => {
    expect(nativeHash(new Uint8Array(0), 0n)).toBe(0xef46db3751d8e999n);
    const seed = 0x6d6d636462763031n;
    expect(nativeHash(Buffer.from('bc'), seed)).toBe(0x7b250e9c05614dd5n);
    expect(nativeHash(Buffer.from('a'), seed)).toBe(0x83b28c30cc510654n);
  });
});
