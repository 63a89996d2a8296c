// Reader API on every backend: the same answers, the same errors.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, CdbError, openSync, open } from '@mmcdb/core';
import { availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const file = path.join(dir, 'api.mmcdb');
const empty = path.join(dir, 'empty.mmcdb');
const aligned = path.join(dir, 'aligned.mmcdb');

beforeAll(async () => {
  await build(
    file,
    [
      ['alpha', 'one'],
      ['beta', 'two'],
      ['alpha', 'uno'],
      ['', 'empty key'],
      ['nothing', ''],
      ['héllo wörld', 'ünïcode'],
    ],
    { metadata: { name: 'api', version: 3 } },
  );
  await build(empty, []);
  const floats = new Float64Array([1.5, -2.25, Math.PI]);
  await build(
    aligned,
    [
      ['x', 'odd'],
      ['floats', new Uint8Array(floats.buffer)],
    ],
    { valueAlign: 8 },
  );
});

describe.each(availableBackends())('Reader (%s backend)', (backend) => {
  it('reports its backend and format', () => {
    const db = openSync(file, { backend });
    expect(db.backend).toBe(backend);
    expect(db.format).toBe('mmcdb');
    expect(db.stats()).toMatchObject({ backend, format: 'mmcdb', records: 6, fileSize: fs.statSync(file).size });
    db.close();
  });

  it('get / getAll / has / getString', () => {
    const db = openSync(file, { backend });
    expect(db.get('alpha')).toEqual(Buffer.from('one'));
    expect(db.get('alpha')).toBeInstanceOf(Buffer);
    expect(db.getAll('alpha').map(String)).toEqual(['one', 'uno']);
    expect(db.getString('')).toBe('empty key');
    expect(db.getString('nothing')).toBe('');
    expect(db.has('nothing')).toBe(true);
    expect(db.getString('héllo wörld')).toBe('ünïcode');
    expect(db.getString('beta', 'hex')).toBe(Buffer.from('two').toString('hex'));
    expect(db.get('gamma')).toBeUndefined();
    expect(db.getAll('gamma')).toEqual([]);
    expect(db.getString('gamma')).toBeUndefined();
    expect(db.has('gamma')).toBe(false);
    db.close();
  });

  it('size, metadata, entries, keys, values and the iterator', () => {
    const db = openSync(file, { backend });
    expect(db.size).toBe(6);
    expect(db.metadata).toEqual({ name: 'api', version: 3 });
    expect([...db.keys()].map(String)).toEqual(['alpha', 'beta', 'alpha', '', 'nothing', 'héllo wörld']);
    expect([...db.values()].map(String)).toEqual(['one', 'two', 'uno', 'empty key', '', 'ünïcode']);
    expect([...db].length).toBe(6);
    db.close();
  });

  it('an empty database', () => {
    const db = openSync(empty, { backend });
    expect(db.size).toBe(0);
    expect(db.get('')).toBeUndefined();
    expect([...db]).toEqual([]);
    expect(db.metadata).toBeUndefined();
    db.close();
  });

  it('aligned values can be viewed as Float64Array without copying', () => {
    const db = openSync(aligned, { backend });
    const v = db.get('floats')!;
    expect(v.byteOffset % 8).toBe(0);
    expect([...new Float64Array(v.buffer, v.byteOffset, v.length / 8)]).toEqual([1.5, -2.25, Math.PI]);
    db.close();
  });

  it('getCopy() is a private copy; a write into a shared value never changes what lookups find', () => {
    const db = openSync(file, { backend });
    const copy = db.getCopy('beta')!;
    copy.fill(0x21);
    expect(db.getString('beta')).toBe('two');
    const shared = db.get('alpha')!;
    shared.fill(0x5a); // the documented hazard: the bytes of this value, in this reader
    expect(db.getAll('alpha').length).toBe(2); // still found, and every other key as before
    expect(db.getString('beta')).toBe('two');
    expect(db.has('nothing')).toBe(true);
    expect(db.getCopy('gamma')).toBeUndefined();
    db.close();
  });

  it('throws TypeError for keys that are not strings or bytes', () => {
    const db = openSync(file, { backend });
    expect(() => db.get(42 as unknown as string)).toThrow(TypeError);
    expect(() => db.getAll(null as unknown as string)).toThrow(TypeError);
    db.close();
  });

  it('after close() every call throws ERR_CDB_CLOSED; close() twice is fine', () => {
    const db = openSync(file, { backend });
    const held = db.get('alpha');
    db.close();
    db.close();
    expect(db.closed).toBe(true);
    for (const call of [() => db.get('alpha'), () => db.getAll('a'), () => db.size, () => db.metadata, () => [...db]]) {
      expect(call).toThrow(expect.objectContaining({ code: 'ERR_CDB_CLOSED' }));
    }
    expect(() => db.get('alpha')).toThrow(CdbError);
    // A value obtained before close() never crashes when read.
    expect(held?.length).toBe(3);
  });

  it('open() resolves to the same reader', async () => {
    const db = await open(file, { backend });
    expect(db.getString('beta')).toBe('two');
    db.close();
  });
});

describe('openSync arguments', () => {
  it('rejects a bad backend name with RangeError and a bad path with TypeError', () => {
    expect(() => openSync(file, { backend: 'disk' as 'memory' })).toThrow(RangeError);
    expect(() => openSync('' as string)).toThrow(TypeError);
  });

  it('MMCDB_BACKEND chooses the default backend', () => {
    process.env['MMCDB_BACKEND'] = 'pread';
    try {
      const db = openSync(file);
      expect(db.backend).toBe('pread');
      db.close();
    } finally {
      delete process.env['MMCDB_BACKEND'];
    }
  });

  it('a missing file is a system error with its path', () => {
    expect(() => openSync(path.join(dir, 'missing.mmcdb'), { backend: 'memory' })).toThrow(/ENOENT/);
  });
});
