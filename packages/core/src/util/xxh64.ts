// XXH64 in plain TypeScript, written from the public specification (xxHash's
// doc/xxhash_spec.md), on pairs of unsigned 32-bit halves so that no BigInt is needed on
// the hot path. It exists so that hashing is synchronous from the first line of a
// program (no top-level await for WebAssembly: `require()` of @mmcdb/core works) and in
// any browser; util/hash.ts switches to xxhash-wasm, which is faster on long inputs, as
// soon as that has been instantiated. Both give the same bits (tested).

import { u32le as u32 } from './le.js';

// The five primes, as [hi, lo].
const P1H = 0x9e3779b1,
  P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d,
  P2L = 0x27d4eb4f;
const P3H = 0x165667b1,
  P3L = 0x9e3779f9;
const P4H = 0x85ebca77,
  P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f,
  P5L = 0x165667c5;

// The result of every 64-bit operation below: module-level registers, no allocation.
let rh = 0;
let rl = 0;

/** (ah:al) × (bh:bl) mod 2^64 → rh:rl. */
function mul(ah: number, al: number, bh: number, bl: number): void {
  const a0 = al & 0xffff,
    a1 = al >>> 16,
    b0 = bl & 0xffff,
    b1 = bl >>> 16;
  const p00 = a0 * b0,
    p01 = a0 * b1,
    p10 = a1 * b0,
    p11 = a1 * b1;
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  rl = (((mid & 0xffff) << 16) | (p00 & 0xffff)) >>> 0;
  rh = (p11 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16) + Math.imul(ah, bl) + Math.imul(al, bh)) >>> 0;
}

/** (ah:al) + (bh:bl) mod 2^64 → rh:rl. */
function add(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  rl = lo >>> 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** rotl(rh:rl, n) in place, 0 < n < 32. */
function rotl(n: number): void {
  const h = rh,
    l = rl;
  rh = ((h << n) | (l >>> (32 - n))) >>> 0;
  rl = ((l << n) | (h >>> (32 - n))) >>> 0;
}

/** round(acc, lane) = rotl(acc + lane × P2, 31) × P1 → rh:rl. */
function round(ah: number, al: number, lh: number, ll: number): void {
  mul(lh, ll, P2H, P2L);
  add(ah, al, rh, rl);
  rotl(31);
  mul(rh, rl, P1H, P1L);
}

/** v ← the four accumulators of §Step 1 for seed sh:sl. */
function initAccumulators(v: Uint32Array, sh: number, sl: number): void {
  add(sh, sl, P1H, P1L);
  add(rh, rl, P2H, P2L);
  v[0] = rh;
  v[1] = rl;
  add(sh, sl, P2H, P2L);
  v[2] = rh;
  v[3] = rl;
  v[4] = sh;
  v[5] = sl;
  // seed − P1 = seed + (2^64 − P1); P1's low word is not 0, so −P1 = (~P1H, −P1L).
  add(sh, sl, ~P1H >>> 0, (0x100000000 - P1L) >>> 0);
  v[6] = rh;
  v[7] = rl;
}

/** §Step 2: every whole 32-byte stripe of b[p, end) into the accumulators; returns where it stopped. */
function stripes(v: Uint32Array, b: Uint8Array, p: number, end: number): number {
  for (; p + 32 <= end; p += 32) {
    for (let i = 0, q = p; i < 8; i += 2, q += 8) {
      round(v[i]!, v[i + 1]!, u32(b, q + 4), u32(b, q));
      v[i] = rh;
      v[i + 1] = rl;
    }
  }
  return p;
}

/** A running hash (§Streaming): the accumulators, the total length and a < 32-byte tail. */
export class Xxh64State {
  readonly #v = new Uint32Array(8);
  readonly #tail = new Uint8Array(32);
  #tailLength = 0;
  #total = 0;
  readonly #sh: number;
  readonly #sl: number;

  constructor(seedHi: number, seedLo: number) {
    this.#sh = seedHi;
    this.#sl = seedLo;
    initAccumulators(this.#v, seedHi, seedLo);
  }

  update(bytes: Uint8Array): this {
    const n = bytes.length;
    let p = 0;
    this.#total += n;
    if (this.#tailLength > 0) {
      p = Math.min(32 - this.#tailLength, n);
      this.#tail.set(bytes.subarray(0, p), this.#tailLength);
      this.#tailLength += p;
      if (this.#tailLength < 32) return this;
      stripes(this.#v, this.#tail, 0, 32);
      this.#tailLength = 0;
    }
    p = stripes(this.#v, bytes, p, n);
    if (p < n) {
      this.#tail.set(bytes.subarray(p), 0);
      this.#tailLength = n - p;
    }
    return this;
  }

  digest(): bigint {
    finish(this.#total >= 32 ? this.#v : undefined, this.#total, this.#tail, 0, this.#tailLength, this.#sh, this.#sl);
    return (BigInt(rh) << 32n) | BigInt(rl);
  }
}

/**
 * The last steps of §Algorithm from the accumulators (when ≥ 32 bytes were hashed) or
 * the seed, then the remaining `len` bytes of `b` at `p`, then the avalanche → rh:rl.
 */
function finish(v: Uint32Array | undefined, total: number, b: Uint8Array, p: number, len: number, sh: number, sl: number): void {
  let hh: number, hl: number;
  if (v !== undefined && total >= 32) {
    (rh = v[0]!), (rl = v[1]!);
    rotl(1);
    let ah = rh,
      al = rl;
    (rh = v[2]!), (rl = v[3]!);
    rotl(7);
    add(ah, al, rh, rl);
    (ah = rh), (al = rl);
    (rh = v[4]!), (rl = v[5]!);
    rotl(12);
    add(ah, al, rh, rl);
    (ah = rh), (al = rl);
    (rh = v[6]!), (rl = v[7]!);
    rotl(18);
    add(ah, al, rh, rl);
    (hh = rh), (hl = rl);
    for (let i = 0; i < 8; i += 2) {
      // mergeRound: h ^= round(0, v); h = h × P1 + P4
      round(0, 0, v[i]!, v[i + 1]!);
      mul((hh ^ rh) >>> 0, (hl ^ rl) >>> 0, P1H, P1L);
      add(rh, rl, P4H, P4L);
      (hh = rh), (hl = rl);
    }
  } else {
    add(sh, sl, P5H, P5L);
    (hh = rh), (hl = rl);
  }
  // h += total length (< 2^53)
  add(hh, hl, Math.floor(total / 0x100000000) >>> 0, total >>> 0);
  (hh = rh), (hl = rl);
  const end = p + len;
  for (; p + 8 <= end; p += 8) {
    round(0, 0, u32(b, p + 4), u32(b, p));
    (rh = (hh ^ rh) >>> 0), (rl = (hl ^ rl) >>> 0);
    rotl(27);
    mul(rh, rl, P1H, P1L);
    add(rh, rl, P4H, P4L);
    (hh = rh), (hl = rl);
  }
  if (p + 4 <= end) {
    mul(0, u32(b, p), P1H, P1L);
    (rh = (hh ^ rh) >>> 0), (rl = (hl ^ rl) >>> 0);
    rotl(23);
    mul(rh, rl, P2H, P2L);
    add(rh, rl, P3H, P3L);
    (hh = rh), (hl = rl);
    p += 4;
  }
  for (; p < end; p++) {
    mul(0, b[p]!, P5H, P5L);
    (rh = (hh ^ rh) >>> 0), (rl = (hl ^ rl) >>> 0);
    rotl(11);
    mul(rh, rl, P1H, P1L);
    (hh = rh), (hl = rl);
  }
  // §Step 5, avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  hl = (hl ^ (hh >>> 1)) >>> 0;
  mul(hh, hl, P2H, P2L);
  hl = (rl ^ (((rh << 3) | (rl >>> 29)) >>> 0)) >>> 0;
  hh = (rh ^ (rh >>> 29)) >>> 0;
  mul(hh, hl, P3H, P3L);
  rl = (rl ^ rh) >>> 0;
}

const scratch = new Uint32Array(8);

/** XXH64 of `b` with the seed sh:sl, as [hi, lo] halves in `out`. */
export function xxh64Words(b: Uint8Array, sh: number, sl: number, out: { hi: number; lo: number }): void {
  const n = b.length;
  if (n >= 32) {
    initAccumulators(scratch, sh, sl);
    const p = stripes(scratch, b, 0, n);
    finish(scratch, n, b, p, n - p, sh, sl);
  } else {
    finish(undefined, n, b, 0, n, sh, sl);
  }
  out.hi = rh;
  out.lo = rl;
}
