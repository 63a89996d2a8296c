// A test-only mmcdb writer following docs/FORMAT.md to the letter, independent of
// packages/core: an executable reading of the spec and a second source of files.
import type { RefHasher } from './native.js';
import { bytesOf } from './native.js';

export const MAGIC = [0x89, 0x4d, 0x4d, 0x43, 0x44, 0x42, 0x0d, 0x0a];
export const DEFAULT_SEED = 0x6d6d636462763031n; // §Determinism

export interface BuildOptions {
  seed?: bigint;
  valueAlign?: number;
  load?: number;
  metadata?: string;
  /** Record indices written with the SUPERSEDED bit and left out of the index. */
  superseded?: Set<number>;
}

export type Rec = [string | Uint8Array, string | Uint8Array];

const mask64 = (1n << 64n) - 1n;

/** §Index: home(h) = (h >>> 32) × H >>> 32. */
export function home(h: bigint, H: number): number {
  return Number(((h >> 32n) * BigInt(H)) >> 32n);
}

export function buildMmcdb(xx: RefHasher, records: Rec[], o: BuildOptions = {}): Buffer {
  const seed = o.seed ?? DEFAULT_SEED;
  const A = o.valueAlign ?? 1;
  const load = o.load ?? 0.5;
  const meta = o.metadata !== undefined ? Buffer.from(o.metadata, 'utf8') : Buffer.alloc(0);
  // §Records
  const parts: Buffer[] = [];
  let p = 128;
  const live: { hash: bigint; pos: number }[] = [];
  records.forEach(([k, v], i) => {
    const key = bytesOf(k);
    const value = bytesOf(v);
    const sup = o.superseded?.has(i) ?? false;
    const hdr = Buffer.alloc(12);
    hdr.writeUInt32LE((key.length | (sup ? 0x80000000 : 0)) >>> 0, 0);
    hdr.writeBigUInt64LE(BigInt(value.length), 4);
    const pad = (A - ((p + 12 + key.length) % A)) % A;
    parts.push(hdr, Buffer.from(key), Buffer.alloc(pad), Buffer.from(value));
    if (!sup) live.push({ hash: xx.h64Raw(key, seed), pos: p });
    p += 12 + key.length + pad + value.length;
  });
  const dataEnd = p;
  const indexOffset = Math.ceil(dataEnd / 64) * 64;
  parts.push(Buffer.alloc(indexOffset - dataEnd));
  // §Index layout rule
  const n = live.length;
  const H = n === 0 ? 0 : Math.max(1, Math.ceil(n / load));
  live.sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : a.pos - b.pos));
  const slots: { hash: bigint; pos: number; slot: number }[] = [];
  let prev = -1;
  let maxProbe = 0;
  for (const r of live) {
    const hm = home(r.hash, H);
    const slot = Math.max(hm, prev + 1);
    maxProbe = Math.max(maxProbe, slot - hm);
    slots.push({ ...r, slot });
    prev = slot;
  }
  const indexLength = Math.max(H, prev + 1);
  const index = Buffer.alloc(indexLength * 16);
  for (const s of slots) {
    index.writeBigUInt64LE(s.hash, s.slot * 16);
    index.writeBigUInt64LE(BigInt(s.pos), s.slot * 16 + 8);
  }
  parts.push(index, meta);
  const metaOffset = indexOffset + indexLength * 16;
  const fileLength = metaOffset + meta.length;
  const body = Buffer.concat(parts);
  // §Header
  const h = Buffer.alloc(128);
  h.set(MAGIC, 0);
  h.writeUInt16LE(1, 8);
  h.writeUInt16LE(128, 10);
  h.writeUInt32LE(0, 12);
  h.writeBigUInt64LE(BigInt(n), 16);
  h.writeBigUInt64LE(seed & mask64, 24);
  h.writeBigUInt64LE(128n, 32);
  h.writeBigUInt64LE(BigInt(dataEnd), 40);
  h.writeBigUInt64LE(BigInt(indexOffset), 48);
  h.writeUInt32LE(H, 56);
  h.writeUInt32LE(A, 60);
  h.writeBigUInt64LE(BigInt(indexLength), 64);
  h.writeBigUInt64LE(BigInt(metaOffset), 72);
  h.writeBigUInt64LE(BigInt(meta.length), 80);
  h.writeBigUInt64LE(BigInt(fileLength), 88);
  h.writeBigUInt64LE(xx.h64Raw(body, 0n), 96);
  h.writeUInt32LE(maxProbe, 104);
  sealHeader(xx, h);
  return Buffer.concat([h, body]);
}

/** Rewrites header_checksum (§Header, bytes 0–119) after a header edit. */
export function sealHeader(xx: RefHasher, file: Uint8Array): void {
  const b = Buffer.from(file.buffer, file.byteOffset, 128);
  b.writeBigUInt64LE(xx.h64Raw(b.subarray(0, 120), 0n), 120);
}
