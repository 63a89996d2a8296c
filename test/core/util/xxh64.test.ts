// The synchronous TypeScript XXH64 (used until xxhash-wasm is ready) gives the same bits
// as xxhash-wasm, one-shot and streamed in any chunking, for every length around the
// 4/8/32-byte boundaries of the algorithm and any seed.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import xxhash from 'xxhash-wasm';
import { Xxh64State, xxh64Words } from '@mmcdb/core/internal';

const wasm = await xxhash();

function tsHash(bytes: Uint8Array, seed: bigint): bigint {
  const out = { hi: 0, lo: 0 };
  xxh64Words(bytes, Number(seed >> 32n), Number(seed & 0xffffffffn), out);
  return (BigInt(out.hi) << 32n) | BigInt(out.lo);
}

describe('XXH64 in TypeScript', () => {
  it('equals xxhash-wasm for lengths 0–300 and random seeds', () => {
    for (let n = 0; n <= 300; n++) {
      const b = randomBytes(n);
      for (const seed of [0n, 0x6d6d636462763031n, randomBytes(8).readBigUInt64LE()]) {
        expect(tsHash(b, seed)).toBe(wasm.h64Raw(b, seed));
      }
    }
  });

  it('streams in any chunking to the same digest', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1 }),
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        (bytes, cuts, seed) => {
          const st = new Xxh64State(Number(seed >> 32n), Number(seed & 0xffffffffn));
          for (let p = 0, i = 0; p < bytes.length; i++) {
            const k = cuts[i % cuts.length]!;
            st.update(bytes.subarray(p, p + k));
            p += k;
          }
          expect(st.digest()).toBe(wasm.h64Raw(bytes, seed));
        },
      ),
      { numRuns: 300 },
    );
  });
});
