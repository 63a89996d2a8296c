// A hostile or damaged remote file must not make the reader allocate without bound,
// loop, or read outside the file: every offset goes through the shared codecs' checks
// (FORMAT.md §Index, CLASSIC.md §Safety), as for a local file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmcdbCodec } from '@mmcdb/core/internal';
import { openRemote } from '@mmcdb/core/remote';
import { tempDir } from '../helpers/tmp.js';
import { buildPair, keyOf, valueFor } from './helpers/dbs.js';
import { startRangeServer, type RangeServer } from './helpers/range-server.js';

const dir = tempDir('mmcdb-remote-hostile-');
let server: RangeServer;
let dbs: { mmcdb: Buffer; classic: Buffer };
const N = 3000;

beforeAll(async () => {
  server = await startRangeServer();
  dbs = await buildPair(dir, 'h', N, [['huge', new Uint8Array(2 << 20)]]);
});
afterAll(() => server.close());

function mmcdbWith(edit: (b: Buffer, h: ReturnType<typeof mmcdbCodec.decodeHeader>) => void): Buffer {
  const b = Buffer.from(dbs.mmcdb);
  edit(b, mmcdbCodec.decodeHeader(b, b.length));
  return b;
}

describe('mmcdb', () => {
  it('slots pointing outside the records: ERR_CDB_CORRUPT naming the slot', async () => {
    server.put(
      'slots.mmcdb',
      mmcdbWith((b, h) => {
        for (let i = 0; i < h.indexLength; i++) {
          const at = h.indexOffset + i * 16;
          if (b.readBigUInt64LE(at + 8) !== 0n) b.writeBigUInt64LE(2n ** 40n, at + 8);
        }
      }),
    );
    const db = await openRemote(server.url('slots.mmcdb'));
    const err = await db.get(keyOf(5)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_CDB_CORRUPT' });
    expect((err as { offset: number }).offset).toBeGreaterThan(0);
  });

  it('a record claiming a huge value: ERR_CDB_CORRUPT, nothing allocated for it', async () => {
    server.put(
      'rec.mmcdb',
      mmcdbWith((b, h) => b.writeBigUInt64LE(2n ** 50n, h.dataOffset + 4)),
    );
    const db = await openRemote(server.url('rec.mmcdb'));
    await expect(db.get(keyOf(0))).rejects.toMatchObject({ code: 'ERR_CDB_CORRUPT' });
    const scan = async () => {
      for await (const _ of db.entries()) void _;
    };
    await expect(scan()).rejects.toMatchObject({ code: 'ERR_CDB_CORRUPT' });
  });

  it('max_probe at 2^32 − 1: lookups stay right, each slot read capped at 64 KiB', async () => {
    server.put(
      'probe.mmcdb',
      mmcdbWith((b, h) => b.set(mmcdbCodec.encodeHeader({ ...h, maxProbe: 0xffffffff }), 0)),
    );
    server.reset();
    const db = await openRemote(server.url('probe.mmcdb'), { cacheBytes: 0 });
    expect(await db.getString(keyOf(17))).toBe(valueFor(17));
    expect(await db.get('absent')).toBeUndefined();
    for (const l of server.log) for (const [s, e] of l.ranges) expect(e - s).toBeLessThanOrEqual(65536 + 2 * 4096);
  });

  it('a value above maxValueBytes is refused before it is read', async () => {
    server.put('big.mmcdb', dbs.mmcdb);
    server.reset();
    const db = await openRemote(server.url('big.mmcdb'), { maxValueBytes: 1 << 20 });
    await expect(db.get('huge')).rejects.toMatchObject({
      code: 'ERR_CDB_REMOTE',
      message: expect.stringMatching(/maxValueBytes/),
    });
    expect(db.stats().bytesFetched).toBeLessThan(1 << 20);
  });
});

describe('classic', () => {
  const toc = (b: Buffer, t: number) => ({ pos: b.readUInt32LE(t * 8), slots: b.readUInt32LE(t * 8 + 4) });

  it('slots pointing outside the records: ERR_CDB_CORRUPT', async () => {
    const b = Buffer.from(dbs.classic);
    for (let t = 0; t < 256; t++) {
      const { pos, slots } = toc(b, t);
      for (let i = 0; i < slots; i++) if (b.readUInt32LE(pos + i * 8 + 4) !== 0) b.writeUInt32LE(0xfffffff0, pos + i * 8 + 4);
    }
    server.put('slots.cdb', b);
    const db = await openRemote(server.url('slots.cdb'));
    await expect(db.get(keyOf(5))).rejects.toMatchObject({ code: 'ERR_CDB_CORRUPT' });
  });

  it('tables without an empty slot: a lookup ends after `slots` probes, in a bounded number of reads', async () => {
    const b = Buffer.from(dbs.classic);
    for (let t = 0; t < 256; t++) {
      const { pos, slots } = toc(b, t);
      for (let i = 0; i < slots; i++) {
        b.writeUInt32LE(0x12345678, pos + i * 8); // a hash no key here has
        if (b.readUInt32LE(pos + i * 8 + 4) === 0) b.writeUInt32LE(2048, pos + i * 8 + 4);
      }
    }
    server.put('full.cdb', b);
    server.reset();
    const db = await openRemote(server.url('full.cdb'), { cacheBytes: 0 });
    expect(await db.get(keyOf(5))).toBeUndefined();
    expect(server.log.length).toBeLessThan(16);
  });
});
