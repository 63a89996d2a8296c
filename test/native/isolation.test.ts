// JS memory never reaches what lookups read (docs/RELIABILITY.md §Native reader
// hardening, item 4). Values stay zero-copy views, but their ArrayBuffers cover only the
// data section (mmcdb [128, data_end), classic [2048, position of table 0)) of a private
// mapping; the header, the index and the record headers and keys the lookups read come
// from a second, read-only mapping JS never sees. So writing anywhere into value.buffer
// changes no later lookup's answer (only the bytes later views of those values show).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, openSync, type Reader } from '@mmcdb/core';
import { native } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('mmcdb-native-isolation-');
const records: [string, string][] = [];
for (let i = 0; i < 500; i++) records.push([`key${i}`, `value ${i} ${'v'.repeat(i % 31)}`]);
records.push(['dup', 'first'], ['dup', 'second'], ['', 'empty key'], ['novalue', '']);
const keys = [...new Set(records.map(([k]) => k)), 'absent', 'key500'];

/** Every answer a lookup gives: found or not, and which bytes of the file (offset, length). */
function answers(db: Reader, h: ReturnType<typeof native.open>) {
  return keys.map((k) => {
    const v = db.get(k);
    const all = db.getAll(k);
    return {
      k,
      has: db.has(k),
      get: v === undefined ? null : [h.get(k), h.out[0], h.out[1], v.length],
      all: all.map((b) => b.length),
      native: h.getAll(k),
      many: db.getMany([k, 'absent']).map((b) => b?.length ?? null),
    };
  });
}

describe.each(['mmcdb', 'classic'] as const)('value.buffer isolation (%s)', (format) => {
  it('value.buffer is the data section only; filling it with 0xff changes no later get/getAll/has/getMany result', async () => {
    const file = path.join(dir, `iso.${format}`);
    await build(file, records, { format, fsync: false, ...(format === 'mmcdb' ? { metadata: { m: 1 } } : {}) });
    const bytes = fs.readFileSync(file);
    const [dataFrom, dataTo] = format === 'mmcdb' ? [128, Number(bytes.readBigUInt64LE(40))] : [2048, bytes.readUInt32LE(0)];

    const db = openSync(file, { backend: 'mmap' });
    const h = native.open(file); // the same file through the addon: absolute offsets
    const v = db.get('key7')!;
    expect(v.toString()).toBe('value 7 vvvvvvv');
    expect(v.buffer.byteLength).toBe(dataTo - dataFrom);
    // The header (and, classic, the TOC) is not in it: its first bytes are the first record.
    const whole = Buffer.from(v.buffer);
    expect(whole.equals(bytes.subarray(dataFrom, dataTo))).toBe(true);
    expect(whole.indexOf(bytes.subarray(0, 16))).toBe(-1);
    // The handle addresses segments from the data section's file offset.
    expect(h.segmentBase).toBe(dataFrom);
    expect(h.segments[0]!.byteLength).toBe(dataTo - dataFrom);

    const before = answers(db, h);
    const entries = [...db].length;
    new Uint8Array(v.buffer).fill(0xff);
    expect(v.every((b) => b === 0xff)).toBe(true); // the rule: later views of those bytes show the write
    expect(answers(db, h)).toEqual(before);
    expect([...db].length).toBe(entries); // iteration walks the read-only mapping
    expect(db.size).toBe(keys.length - 2 + 1); // 'dup' twice, 'absent' and 'key500' never
    if (format === 'mmcdb') expect(db.metadata).toEqual({ m: 1 });
    // copy() reads the file's bytes, not the written view.
    expect(h.copy(dataFrom, 16).equals(bytes.subarray(dataFrom, dataFrom + 16))).toBe(true);
    h.close();
    db.close();
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });
});
