// verify(): structural checks behind a valid checksum (files resealed after tampering,
// as a buggy writer or a deliberate forger would leave them).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze, build, verify } from '@mmcdb/core';
import { decodeHeader, encodeHeader, HEADER_SIZE, xxh64, type Header } from '@mmcdb/core/internal';
import { tempDir } from '../../../helpers/tmp.js';

const dir = tempDir();
let bytes: Buffer;
let header: Header;
let n = 0;

beforeAll(async () => {
  const file = path.join(dir, 'base.mmcdb');
  await build(
    file,
    Array.from({ length: 64 }, (_, i) => [`key${i}`, `value${i}`] as const),
  );
  bytes = fs.readFileSync(file);
  header = decodeHeader(bytes, bytes.length);
});

/** Recomputes the body and header checksums after tampering. */
function reseal(copy: Buffer, change: Partial<Header> = {}): string {
  const h = { ...header, ...change, bodyChecksum: xxh64(copy.subarray(HEADER_SIZE), 0n) };
  copy.set(encodeHeader(h), 0);
  const file = path.join(dir, `t${n++}.mmcdb`);
  fs.writeFileSync(file, copy);
  return file;
}

const slotAt = (i: number) => header.indexOffset + i * 16;
function usedSlots(buf: Buffer): number[] {
  const out: number[] = [];
  for (let i = 0; i < header.indexLength; i++) if (buf.readBigUInt64LE(slotAt(i) + 8) !== 0n) out.push(i);
  return out;
}

async function problem(file: string): Promise<string> {
  const r = await verify(file);
  return r.ok ? 'ok' : `${r.error!.code}: ${r.error!.message}`;
}

describe('verify() structure checks', () => {
  it('a resealed but unchanged file is sound', async () => {
    expect(await problem(reseal(Buffer.from(bytes)))).toBe('ok');
  });

  it('a slot pointing into the middle of a record', async () => {
    const copy = Buffer.from(bytes);
    const s = usedSlots(copy)[0]!;
    copy.writeBigUInt64LE(copy.readBigUInt64LE(slotAt(s) + 8) + 1n, slotAt(s) + 8);
    expect(await problem(reseal(copy))).toMatch(
      /ERR_CDB_CORRUPT: index slot \d+: position \d+ is not the start of a live record/,
    );
  });

  it('two slots swapped (order broken)', async () => {
    const copy = Buffer.from(bytes);
    const used = usedSlots(copy);
    const [a, b] = [used[3]!, used[4]!];
    const sa = Buffer.from(copy.subarray(slotAt(a), slotAt(a) + 16));
    copy.copy(copy, slotAt(a), slotAt(b), slotAt(b) + 16);
    sa.copy(copy, slotAt(b));
    expect(await problem(reseal(copy))).toMatch(/ERR_CDB_CORRUPT: index slot/);
  });

  it('a slot whose hash does not match its key', async () => {
    const copy = Buffer.from(bytes);
    const s = usedSlots(copy)[5]!;
    copy[slotAt(s)]! ^= 1; // lowest hash byte: order and home stay plausible
    expect(await problem(reseal(copy))).toMatch(/ERR_CDB_CORRUPT: index slot \d+: (hash does not match|slots are not in)/);
  });

  it('a record_count that disagrees with the records', async () => {
    expect(await problem(reseal(Buffer.from(bytes), { recordCount: 63 }))).toMatch(/ERR_CDB_CORRUPT: .*record_count/);
  });

  it('a live record missing from the index (slot emptied)', async () => {
    const copy = Buffer.from(bytes);
    const s = usedSlots(copy)[7]!;
    copy.fill(0, slotAt(s), slotAt(s) + 16);
    expect(await problem(reseal(copy))).toMatch(/ERR_CDB_CORRUPT/);
  });

  it('a superseded record still referenced by the index', async () => {
    const copy = Buffer.from(bytes);
    copy.writeUInt32LE((copy.readUInt32LE(HEADER_SIZE) | 0x80000000) >>> 0, HEADER_SIZE);
    expect(await problem(reseal(copy))).toMatch(/ERR_CDB_CORRUPT/);
  });
});

describe('analyze()', () => {
  it('reports counts, lengths and the index shape', async () => {
    const file = path.join(dir, 'stats.mmcdb');
    await build(file, [
      ['a', '1'],
      ['bb', '22'],
      ['a', '333'],
      ['', ''],
    ]);
    const s = await analyze(file);
    expect(s).toMatchObject({ format: 'mmcdb', records: 4, distinctKeys: 3 });
    expect(s.keyLength).toMatchObject({ min: 0, max: 2, total: 4, avg: 1 });
    expect(s.valueLength).toMatchObject({ min: 0, max: 3, total: 6, avg: 1.5 });
    expect(s.index.used).toBe(4);
    expect(s.index.slots).toBeGreaterThanOrEqual(8);
    expect(s.index.probeHistogram.reduce((x, y) => x + y, 0)).toBe(4);
  });
});
