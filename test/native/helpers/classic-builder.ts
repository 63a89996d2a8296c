// A test-only classic djb cdb writer (classic-cdb.md §Writer): byte-identical to
// tinycdb `cdb -c` and freecdb `cdbmake` for the same input.
import { bytesOf } from './native.js';
import type { Rec } from './mmcdb-builder.js';

export function djb(key: Uint8Array): number {
  let h = 5381;
  for (const c of key) h = (Math.imul(h, 33) ^ c) >>> 0;
  return h;
}

export function buildClassic(records: Rec[]): Buffer {
  const parts: Buffer[] = [];
  let pos = 2048;
  const entries: { h: number; pos: number }[][] = Array.from({ length: 256 }, () => []);
  for (const [k, v] of records) {
    const key = bytesOf(k);
    const value = bytesOf(v);
    const hdr = Buffer.alloc(8);
    hdr.writeUInt32LE(key.length, 0);
    hdr.writeUInt32LE(value.length, 4);
    parts.push(hdr, Buffer.from(key), Buffer.from(value));
    const h = djb(key);
    entries[h & 255]!.push({ h, pos });
    pos += 8 + key.length + value.length;
  }
  const toc = Buffer.alloc(2048);
  for (let i = 0; i < 256; i++) {
    const list = entries[i]!;
    const n = list.length * 2;
    toc.writeUInt32LE(pos, i * 8);
    toc.writeUInt32LE(n, i * 8 + 4);
    const table = Buffer.alloc(n * 8);
    for (const e of list) {
      let s = (e.h >>> 8) % n;
      while (table.readUInt32LE(s * 8 + 4) !== 0) s = (s + 1) % n;
      table.writeUInt32LE(e.h, s * 8);
      table.writeUInt32LE(e.pos, s * 8 + 4);
    }
    parts.push(table);
    pos += n * 8;
  }
  return Buffer.concat([toc, ...parts]);
}

/** cdbmake input text for the records (for tinycdb `cdb -c`). */
export function cdbmakeInput(records: Rec[]): Buffer {
  const out: Buffer[] = [];
  for (const [k, v] of records) {
    const key = Buffer.from(bytesOf(k));
    const value = Buffer.from(bytesOf(v));
    out.push(Buffer.from(`+${key.length},${value.length}:`), key, Buffer.from('->'), value, Buffer.from('\n'));
  }
  out.push(Buffer.from('\n'));
  return Buffer.concat(out);
}
