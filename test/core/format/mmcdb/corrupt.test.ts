// Corrupt, truncated and foreign files: every failure is a CdbError with the right code,
// never a hang, a crash or a wrong answer read from outside the file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, CdbError, openSync, verify, type Backend } from '@mmcdb/core';
import { decodeHeader, encodeHeader, HEADER_SIZE, type Header } from '@mmcdb/core/internal';
import { availableBackends } from '../../../helpers/backends.js';
import { tempDir } from '../../../helpers/tmp.js';

const dir = tempDir();
const good = path.join(dir, 'good.mmcdb');
let bytes: Buffer;
let header: Header;
let n = 0;

beforeAll(async () => {
  const recs: [string, string][] = Array.from({ length: 200 }, (_, i) => [`key${i}`, `value-${i}-${'v'.repeat(i % 17)}`]);
  await build(good, recs, { metadata: { kind: 'corrupt-test' } });
  bytes = fs.readFileSync(good);
  header = decodeHeader(bytes, bytes.length);
});

function writeVariant(data: Uint8Array): string {
  const file = path.join(dir, `v${n++}.mmcdb`);
  fs.writeFileSync(file, data);
  return file;
}

/** Runs every read operation; returns the CdbError code thrown, or 'ok'. Anything else fails the test. */
function exercise(file: string, backend: Backend): string {
  try {
    const db = openSync(file, { backend });
    try {
      for (let i = 0; i < 200; i += 7) {
        db.get(`key${i}`);
        db.getAll(`key${i}`);
      }
      db.get('absent');
      for (const entry of db) void entry;
      void db.metadata;
      return 'ok';
    } finally {
      db.close();
    }
  } catch (err) {
    if (err instanceof CdbError) return err.code;
    throw err;
  }
}

function withHeader(change: Partial<Header>): Buffer {
  const copy = Buffer.from(bytes);
  copy.set(encodeHeader({ ...header, ...change }), 0);
  return copy;
}

describe.each(availableBackends())('corrupt files (%s backend)', (backend) => {
  it('truncation at every section boundary is ERR_CDB_TRUNCATED (or FORMAT when nothing is left)', () => {
    // A piece shorter than the magic cannot be recognised at all: ERR_CDB_FORMAT.
    for (const cut of [1, 7]) expect(exercise(writeVariant(bytes.subarray(0, cut)), backend)).toBe('ERR_CDB_FORMAT');
    const cuts = [
      8,
      64,
      127,
      128,
      129,
      header.dataEnd - 1,
      header.dataEnd,
      header.indexOffset,
      header.indexOffset + 8,
      header.metaOffset,
      header.fileLength - 1,
    ];
    for (const cut of cuts) {
      expect(exercise(writeVariant(bytes.subarray(0, cut)), backend), `cut at ${cut}`).toBe('ERR_CDB_TRUNCATED');
    }
    expect(exercise(writeVariant(new Uint8Array(0)), backend)).toBe('ERR_CDB_FORMAT');
  });

  it('every flipped header byte is caught at open', () => {
    for (let i = 0; i < HEADER_SIZE; i++) {
      const copy = Buffer.from(bytes);
      copy[i]! ^= 0x41;
      const expected = i < 8 ? 'ERR_CDB_FORMAT' : i < 10 ? 'ERR_CDB_VERSION' : 'ERR_CDB_CHECKSUM';
      expect(exercise(writeVariant(copy), backend), `byte ${i}`).toBe(expected);
    }
  });

  it('wrong magic, a future version, unknown required flags, trailing bytes', () => {
    expect(exercise(writeVariant(Buffer.from('definitely not a database, just some text'.repeat(10))), backend)).toBe(
      'ERR_CDB_FORMAT',
    );
    expect(exercise(writeVariant(withHeader({ version: 2 })), backend)).toBe('ERR_CDB_VERSION');
    expect(exercise(writeVariant(withHeader({ flags: 1 })), backend)).toBe('ERR_CDB_VERSION');
    expect(exercise(writeVariant(withHeader({ flags: 1 << 16 })), backend)).toBe('ok'); // optional hint
    expect(exercise(writeVariant(Buffer.concat([bytes, Buffer.from('junk')])), backend)).toBe('ERR_CDB_FORMAT');
  });

  it('header offsets past EOF or out of order (with a valid header checksum)', () => {
    const cases: Partial<Header>[] = [
      { fileLength: header.fileLength + 4096 },
      { indexLength: header.indexLength + 1_000_000 },
      { dataEnd: header.indexOffset + 64 },
      { indexOffset: header.indexOffset + 64 },
      { metaLength: header.metaLength + 10 },
      { metaOffset: 5 },
      { dataOffset: 64 },
      { homeSlots: header.indexLength + 1 },
      { recordCount: header.indexLength + 1 },
      { valueAlign: 3 },
      { valueAlign: 0 },
    ];
    for (const change of cases) {
      const code = exercise(writeVariant(withHeader(change)), backend);
      expect(['ERR_CDB_FORMAT', 'ERR_CDB_TRUNCATED'], JSON.stringify(change)).toContain(code);
    }
  });

  it('an index slot pointing past EOF or into the header is ERR_CDB_CORRUPT naming the slot', () => {
    for (const target of [header.fileLength + 100, 2 ** 40, 8, header.dataEnd - 4]) {
      const copy = Buffer.from(bytes);
      for (let i = 0; i < header.indexLength; i++) {
        const at = header.indexOffset + i * 16 + 8;
        if (copy.readBigUInt64LE(at) !== 0n) copy.writeBigUInt64LE(BigInt(target), at);
      }
      const file = writeVariant(copy);
      const db = openSync(file, { backend });
      expect(() => db.get('key5'), `target ${target}`).toThrow(expect.objectContaining({ code: 'ERR_CDB_CORRUPT' }));
      db.close();
    }
  });

  it('a record whose lengths run past the data section', () => {
    const copy = Buffer.from(bytes);
    copy.writeUInt32LE(0x7ffffff0, HEADER_SIZE); // first record's key_length
    expect(exercise(writeVariant(copy), backend)).toBe('ERR_CDB_CORRUPT');
    const copy2 = Buffer.from(bytes);
    copy2.writeBigUInt64LE(1n << 50n, HEADER_SIZE + 4); // first record's value_length
    expect(exercise(writeVariant(copy2), backend)).toBe('ERR_CDB_CORRUPT');
  });

  it('seeded random body corruption: only answers or CdbErrors', () => {
    let seed = 12345;
    const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const codes = new Set<string>();
    for (let c = 0; c < 300; c++) {
      const copy = Buffer.from(bytes);
      const flips = 1 + Math.floor(rand() * 8);
      for (let f = 0; f < flips; f++) {
        copy[HEADER_SIZE + Math.floor(rand() * (copy.length - HEADER_SIZE))] = Math.floor(rand() * 256);
      }
      codes.add(exercise(writeVariant(copy), backend));
    }
    expect([...codes].every((c) => c === 'ok' || c.startsWith('ERR_CDB_'))).toBe(true);
  });
});

describe('verify()', () => {
  it('passes a sound file', async () => {
    expect(await verify(good)).toMatchObject({ ok: true, format: 'mmcdb', records: 200 });
  });

  it('finds a flipped body byte anywhere (checksum) and names the offset', async () => {
    for (const at of [HEADER_SIZE, header.dataEnd, header.indexOffset + 3, header.fileLength - 1]) {
      const copy = Buffer.from(bytes);
      copy[at]! ^= 1;
      const report = await verify(writeVariant(copy));
      expect(report.ok).toBe(false);
      expect(report.error?.code).toBe('ERR_CDB_CHECKSUM');
      expect(report.error?.offset).toBe(96);
    }
  });

  it('reports a bad header like open() does', async () => {
    const report = await verify(writeVariant(bytes.subarray(0, 500)));
    expect(report).toMatchObject({ ok: false, error: { code: 'ERR_CDB_TRUNCATED' } });
  });
});
