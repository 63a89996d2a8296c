// writeIndex (FORMAT.md §Index) against a reference written the obvious way: sort live
// records by (hash, position), place each at max(home, previous slot + 1), zero-fill.
// The synthetic tables cover both sort levels, empty buckets, superseded records, and a
// flood of equal top hash bits (the Array#sort path for long sub-buckets).
import { describe, expect, it } from 'vitest';
import { homeSlot, RecordTable, SLOT_SIZE, writeIndex } from '@mmcdb/core/internal';

function reference(entries: { hi: number; lo: number; pos: number }[], homeSlots: number): Buffer {
  const live = entries.filter((e) => e.pos >= 0).sort((a, b) => a.hi - b.hi || a.lo - b.lo || a.pos - b.pos);
  const slots: Buffer[] = [];
  let next = 0;
  for (const e of live) {
    const slot = Math.max(homeSlot(e.hi, homeSlots), next);
    while (next < slot) slots.push(Buffer.alloc(SLOT_SIZE)), next++;
    const s = Buffer.alloc(SLOT_SIZE);
    s.writeUInt32LE(e.lo, 0);
    s.writeUInt32LE(e.hi, 4);
    s.writeBigUInt64LE(BigInt(e.pos), 8);
    slots.push(s);
    next++;
  }
  while (next < homeSlots) slots.push(Buffer.alloc(SLOT_SIZE)), next++;
  return Buffer.concat(slots);
}

function check(n: number, hashOf: (i: number) => [number, number], killEvery = 0): void {
  const table = new RecordTable();
  const entries: { hi: number; lo: number; pos: number }[] = [];
  for (let i = 0; i < n; i++) {
    const [hi, lo] = hashOf(i);
    const pos = 128 + i * 40;
    table.push(hi, lo, pos);
    entries.push({ hi, lo, pos });
  }
  if (killEvery) {
    for (let i = 0; i < n; i += killEvery) {
      table.kill(i);
      entries[i]!.pos = -1;
    }
  }
  const homeSlots = Math.ceil(table.live / 0.5);
  const parts: Buffer[] = [];
  const layout = writeIndex(table, homeSlots, (b) => parts.push(Buffer.from(b)));
  const got = Buffer.concat(parts);
  const want = reference(entries, homeSlots);
  expect(layout.indexLength * SLOT_SIZE).toBe(want.length);
  expect(got.equals(want)).toBe(true);
}

let seed = 0x12345678;
const rand32 = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
};

describe('writeIndex', () => {
  it('matches the reference for tiny tables (one bucket)', () => {
    for (const n of [1, 2, 7, 8, 9, 100]) check(n, () => [rand32(), rand32()]);
  });

  it('matches the reference at 200k random hashes (two sort levels), with superseded records', () => {
    check(200_000, () => [rand32(), rand32()], 7);
  });

  it('matches the reference when many records share the same top hash bits or the same hash', () => {
    // 20k records in one top bucket and one sub-bucket: the Array#sort path; every 5th an exact duplicate hash
    check(20_000, (i) => [0x7fff0000 + (i % 4), i % 5 === 0 ? 42 : rand32()]);
    // a 50/50 mix of flooded and ordinary hashes
    check(50_000, (i) => (i % 2 ? [0x12340000, rand32()] : [rand32(), rand32()]));
  });
});
