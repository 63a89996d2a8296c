// getMany / getAsync / getManyAsync / warm: the same answers as get() on every backend.
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, openSync, type Bytes } from '@mmcdb/core';
import { availableAsyncIo, availableBackends } from '../helpers/backends.js';
import { sameBytes } from '../helpers/model.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const mmcdbFile = path.join(dir, 'batch.mmcdb');
const classicFile = path.join(dir, 'batch.cdb');
const records: [string, string][] = [];
for (let i = 0; i < 3000; i++) records.push([`key:${i}`, `value ${i} ${'x'.repeat(i % 50)}`]);
records.push(['key:7', 'second value of 7'], ['', 'empty key'], ['empty', '']);

beforeAll(async () => {
  await build(mmcdbFile, records);
  await build(classicFile, records, { format: 'classic' });
});

const keys: Bytes[] = [];
for (let i = 0; i < 1000; i++) keys.push(i % 5 === 0 ? `absent:${i}` : `key:${(i * 7919) % 3000}`);
keys.push('key:7', '', 'empty', Buffer.from('key:42'), new Uint8Array(0));

describe.each(availableBackends())('batches (%s backend)', (backend) => {
  describe.each([
    ['mmcdb', mmcdbFile],
    ['classic', classicFile],
  ])('%s file', (_format, file) => {
    it('getMany equals get() key by key, for batch sizes 0, 1, 7 and 1005', () => {
      const db = openSync(file, { backend });
      for (const size of [0, 1, 7, keys.length]) {
        const batch = keys.slice(0, size);
        const many = db.getMany(batch);
        expect(many.length).toBe(size);
        batch.forEach((k, i) => {
          const one = db.get(k);
          if (one === undefined) expect(many[i]).toBeUndefined();
          else expect(sameBytes([many[i]!], [one])).toBe('same');
        });
      }
      db.close();
    });

    it('getManyAsync and getAsync resolve to the same values', async () => {
      const db = openSync(file, { backend });
      const sync = db.getMany(keys);
      const [a, b] = await Promise.all([db.getManyAsync(keys), db.getManyAsync(keys.slice(0, 10))]);
      expect(a.map((v) => v?.toString('hex'))).toEqual(sync.map((v) => v?.toString('hex')));
      expect(b.map((v) => v?.toString('hex'))).toEqual(sync.slice(0, 10).map((v) => v?.toString('hex')));
      expect((await db.getAsync('key:7'))?.toString()).toBe('value 7 xxxxxxx');
      expect(await db.getAsync('absent')).toBeUndefined();
      expect((await db.getAsync('empty'))?.length).toBe(0);
      db.close();
    });

    it('warm() resolves for the index and the whole file', async () => {
      const db = openSync(file, { backend });
      await db.warm();
      await db.warm({ what: 'all' });
      await expect(db.warm({ what: 'some' as 'all' })).rejects.toThrow(RangeError);
      db.close();
    });
  });

  it('argument and state errors', async () => {
    const db = openSync(mmcdbFile, { backend });
    expect(() => db.getMany('key:1' as unknown as string[])).toThrow(TypeError);
    expect(() => db.getMany([1 as unknown as string])).toThrow(TypeError);
    await expect(db.getManyAsync([{} as unknown as string])).rejects.toThrow(TypeError);
    db.close();
    expect(() => db.getMany(['key:1'])).toThrow(expect.objectContaining({ code: 'ERR_CDB_CLOSED' }));
    await expect(db.getAsync('key:1')).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
  });
});

// The same batches on every getManyAsync path of the mmap backend (docs/api.md §asyncIo),
// warm and after evict() (cold: the pages come back through that path).
describe.each(availableAsyncIo())('getManyAsync on asyncIo %s', (asyncIo) => {
  it.each([
    ['mmcdb', mmcdbFile],
    ['classic', classicFile],
  ])('%s file: the answers of getMany, warm and cold', async (_format, file) => {
    const db = openSync(file, { backend: 'mmap', asyncIo });
    expect(db.asyncIo).toBe(asyncIo);
    const sync = db.getMany(keys).map((v) => v?.toString('hex'));
    for (const size of [0, 1, 7, keys.length]) {
      expect((await db.getManyAsync(keys.slice(0, size))).map((v) => v?.toString('hex'))).toEqual(sync.slice(0, size));
    }
    db.evict();
    expect((await db.getManyAsync(keys)).map((v) => v?.toString('hex'))).toEqual(sync);
    expect((await db.getAsync('key:7'))?.toString()).toBe('value 7 xxxxxxx');
    expect((await db.getAsync('empty'))?.length).toBe(0);
    db.close();
  });
});

// Page-cache control only exists over a mapping: the other backends refuse it clearly.
describe.each(availableBackends().filter((b) => b !== 'mmap'))('page-cache control (%s backend)', (backend) => {
  it('residency() and evict() throw ERR_CDB_BACKEND', () => {
    const db = openSync(mmcdbFile, { backend });
    expect(() => db.residency()).toThrow(expect.objectContaining({ code: 'ERR_CDB_BACKEND' }));
    expect(() => db.evict()).toThrow(expect.objectContaining({ code: 'ERR_CDB_BACKEND' }));
    db.close();
  });
});
