// The addon's validation errors equal @mmcdb/core's own for the same check: a table of
// corrupt headers, TOCs and records run through the native reader ('mmap': the addon
// throws core's CdbError itself, via setErrorClass) and the pure-TS reader ('memory':
// core/src/format.ts decodeHeader, core/src/classic/format.ts readToc / readRecord,
// core/src/mmcdb-engine.ts). Same class, code, message and offset.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CdbError, build, openSync, type Backend } from '@mmcdb/core';
import { xxh64 } from '@mmcdb/core/internal';
import { testAddon } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('mmcdb-native-messages-');
const records = Array.from({ length: 40 }, (_, i) => [`key${i}`, `value-${i}`] as [string, string]);

async function fileOf(format: 'mmcdb' | 'classic'): Promise<Buffer> {
  const f = path.join(dir, `good.${format}`);
  await build(f, records, { format, fsync: false, ...(format === 'mmcdb' ? { metadata: { m: 1 } } : {}) });
  return fs.readFileSync(f);
}
const mm = await fileOf('mmcdb');
const cl = await fileOf('classic');

/** A copy of the good mmcdb file with header changes, checksum resealed (FORMAT.md §Header). */
function header(change: (b: Buffer) => void, reseal = true): Buffer {
  const b = Buffer.from(mm);
  change(b);
  if (reseal) b.writeBigUInt64LE(xxh64(b.subarray(0, 120), 0n), 120);
  return b;
}
const u64 = (at: number, v: bigint | number) => (b: Buffer) => b.writeBigUInt64LE(BigInt(v), at);
const u32 = (at: number, v: number) => (b: Buffer) => b.writeUInt32LE(v >>> 0, at);
const u16 = (at: number, v: number) => (b: Buffer) => b.writeUInt16LE(v, at);
const f64 = (b: Buffer, at: number) => Number(b.readBigUInt64LE(at));

/** mmcdb: the position of key's record (the first slot of its hash — one key per hash here). */
function mmRecordOf(key: string): number {
  const seed = mm.readBigUInt64LE(24);
  const h = xxh64(Buffer.from(key), seed);
  const indexOffset = f64(mm, 48),
    indexLength = f64(mm, 64);
  for (let i = 0; i < indexLength; i++) {
    if (mm.readBigUInt64LE(indexOffset + 16 * i) === h) return f64(mm, indexOffset + 16 * i + 8);
  }
  throw new Error(`no slot for ${key}`);
}

/** classic: the slot offset and record position of key (docs/CLASSIC.md §Lookup). */
function clSlotOf(key: string): { slot: number; pos: number } {
  let h = 5381;
  for (const c of Buffer.from(key)) h = (Math.imul(h, 33) ^ c) >>> 0;
  const t = h & 255,
    tpos = cl.readUInt32LE(t * 8),
    n = cl.readUInt32LE(t * 8 + 4);
  for (let p = 0, i = (h >>> 8) % n; p < n; p++, i = (i + 1) % n) {
    if (cl.readUInt32LE(tpos + 8 * i) === h) return { slot: tpos + 8 * i, pos: cl.readUInt32LE(tpos + 8 * i + 4) };
  }
  throw new Error(`no slot for ${key}`);
}

type Case = [name: string, bytes: Buffer, op?: 'get' | 'entries'];
const withClassic = (change: (b: Buffer) => void): Buffer => {
  const b = Buffer.from(cl);
  change(b);
  return b;
};

const cases: Case[] = [
  ['empty file', Buffer.alloc(0)],
  ['100 bytes, no magic', Buffer.alloc(100, 1)],
  ['magic, 100 bytes', mm.subarray(0, 100)],
  ['bad magic on a full mmcdb file (read as classic)', header((b) => (b[1] = 0x4e), false)],
  ['version 2', header(u16(8, 2))],
  ['header checksum', header(u64(16, 41), false)],
  ['header_size 64', header(u16(10, 64))],
  ['required flags', header(u32(12, 0x10005))],
  ['record_count beyond 2^53', header(u64(16, 2n ** 60n))],
  ['file_length beyond 2^53', header(u64(88, 2n ** 53n))],
  ['file shorter than file_length', mm.subarray(0, mm.length - 3)],
  ['trailing bytes', Buffer.concat([mm, Buffer.alloc(5)])],
  ['data_offset 64', header(u64(32, 64))],
  ['data_end before data_offset', header(u64(40, 100))],
  ['index_offset not aligned', header((b) => u64(48, f64(b, 48) + 8)(b))],
  ['meta_offset', header((b) => u64(72, f64(b, 72) + 16)(b))],
  ['meta_length', header((b) => u64(80, f64(b, 80) + 1)(b))],
  ['home_slots > index_length', header((b) => u32(56, f64(b, 64) + 1)(b))],
  ['record_count > index_length', header((b) => u64(16, f64(b, 64) + 1)(b))],
  ['home_slots 0 with records', header(u32(56, 0))],
  ['value_align 3', header(u32(60, 3))],
  ['value_align 2^17', header(u32(60, 2 ** 17))],
  ['classic: 2047 bytes', cl.subarray(0, 2047)],
  ['classic: table 7 before 2048', withClassic(u32(7 * 8, 100))],
  ['classic: table 200 past the end', withClassic((b) => u32(200 * 8 + 4, b.length)(b))],
  ['classic: table 0 position past the end', withClassic((b) => u32(0, b.length + 1)(b))],
  // Lookups and iteration (records).
  ['mmcdb get: key_length past data_end', header((b) => u32(mmRecordOf('key5'), 0x7ffffff0)(b), false), 'get'],
  ['mmcdb get: value_length past data_end', header((b) => u64(mmRecordOf('key5') + 4, 2n ** 40n)(b), false), 'get'],
  [
    'mmcdb get: slot position outside the data',
    header((b) => {
      const h = xxh64(Buffer.from('key5'), b.readBigUInt64LE(24));
      for (let i = 0, at = f64(b, 48); i < f64(b, 64); i++, at += 16)
        if (b.readBigUInt64LE(at) === h) b.writeBigUInt64LE(BigInt(f64(b, 40) - 4), at + 8);
    }, false),
    'get',
  ],
  ['mmcdb get: slot to a superseded record', header((b) => u32(mmRecordOf('key5'), 4 | 0x80000000)(b), false), 'get'],
  ['mmcdb entries: key_length past data_end', header((b) => u32(128, 0x7ffffff0)(b), false), 'entries'],
  ['classic get: record position before 2048', withClassic((b) => u32(clSlotOf('key5').slot + 4, 1000)(b)), 'get'],
  ['classic get: record runs past the records', withClassic((b) => u32(clSlotOf('key5').pos, 0x10000)(b)), 'get'],
  ['classic entries: record runs past the records', withClassic((b) => u32(2048 + 4, 0x10000)(b)), 'entries'],
  [
    'classic entries: header past the end of the records',
    withClassic((b) => {
      // Table 0 (the end of the records, §Layout) moved 4 bytes into the last record.
      const end = b.readUInt32LE(0);
      let last = 2048;
      for (let pos = 2048; pos < end; pos += 8 + b.readUInt32LE(pos) + b.readUInt32LE(pos + 4)) last = pos;
      b.writeUInt32LE(last + 4, 0);
    }),
    'entries',
  ],
];

interface Outcome {
  cls: string;
  code?: string;
  message?: string;
  offset?: number;
  path?: string;
}

function outcome(file: string, backend: Backend, op: Case[2]): Outcome {
  try {
    const db = openSync(file, { backend });
    try {
      if (op === 'get') db.get('key5');
      if (op === 'entries') for (const e of db) void e;
    } finally {
      db.close();
    }
    return { cls: 'none' };
  } catch (err) {
    const e = err as CdbError;
    return {
      cls: err instanceof CdbError ? 'CdbError' : (err as Error).constructor.name,
      code: e.code,
      message: e.message,
      offset: e.offset,
      path: e.path,
    };
  }
}

describe('native validation errors = @mmcdb/core errors', () => {
  it.each(cases)('%s', (name, bytes, op) => {
    const file = path.join(dir, `${name.replace(/\W+/g, '_')}.db`);
    fs.writeFileSync(file, bytes);
    const ts = outcome(file, 'memory', op);
    const nat = outcome(file, 'mmap', op);
    expect(ts.cls, JSON.stringify(ts)).toBe('CdbError'); // every case is a data problem
    expect(nat).toEqual(ts);
  });

  it('without an injected class the addon throws a plain Error with the same message, code and offset', () => {
    const file = path.join(dir, 'plain.db');
    fs.writeFileSync(file, header(u16(10, 64)));
    const ts = outcome(file, 'memory', undefined);
    // The test addon has no class injected (core injects into the production addon only).
    let plain: (Error & { code?: string; offset?: number; path?: string }) | undefined;
    try {
      testAddon.open(file);
    } catch (err) {
      plain = err as Error;
    }
    expect(plain).toBeInstanceOf(Error);
    expect(plain).not.toBeInstanceOf(CdbError);
    expect({ code: plain!.code, message: plain!.message, offset: plain!.offset, path: plain!.path }).toEqual({
      code: ts.code,
      message: ts.message,
      offset: ts.offset,
      path: ts.path,
    });
  });
});
