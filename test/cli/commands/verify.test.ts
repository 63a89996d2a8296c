// cdb verify: exit 0 and one line when sound; 111 with code, offset and message when not.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { cdb, expectOneLineError, fixture, ok } from '../helpers.js';

const dir = tempDir('mmcdb-cli-verify-');
const good = path.join(dir, 'good.cdb');

beforeAll(async () => {
  await ok(['build', good, fixture('small.cdbmake')]);
});

function damaged(name: string, edit: (b: Buffer) => Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, edit(Buffer.from(fs.readFileSync(good))));
  return file;
}

describe('cdb verify', () => {
  it('a sound database: exit 0, one short line on stdout', async () => {
    const r = await cdb(['verify', good]);
    expect(r.status).toBe(0);
    expect(r.out).toBe(`${good}: ok (mmcdb, 9 records, ${fs.statSync(good).size} bytes)\n`);
    expect(r.stderr).toBe('');
  });

  it('a classic database', async () => {
    const classic = path.join(dir, 'classic.cdb');
    await ok(['build', classic, fixture('small.cdbmake'), '--format', 'classic']);
    expect((await ok(['verify', classic])).out).toContain('ok (classic, 9 records');
  });

  it('a flipped data byte: ERR_CDB_CHECKSUM at offset 96', async () => {
    const file = damaged('flip.cdb', (b) => {
      b[140] = b[140]! ^ 0x20;
      return b;
    });
    const r = await cdb(['verify', file]);
    expectOneLineError(r, `cdb verify: ${file}: ERR_CDB_CHECKSUM at offset 96: body checksum mismatch`);
    expect(r.stdout.length).toBe(0);
  });

  it('a truncated database: ERR_CDB_TRUNCATED', async () => {
    const file = damaged('trunc.cdb', (b) => b.subarray(0, b.length - 10));
    expectOneLineError(await cdb(['verify', file]), 'ERR_CDB_TRUNCATED at offset');
  });

  it('a file that is not a database: ERR_CDB_FORMAT', async () => {
    expectOneLineError(await cdb(['verify', fixture('small.jsonl')]), 'ERR_CDB_FORMAT at offset 0');
  });

  it('a missing file or a folder: exit 111, one line', async () => {
    expectOneLineError(await cdb(['verify', path.join(dir, 'missing.cdb')]), 'no such file or directory (ENOENT)');
    expectOneLineError(await cdb(['verify', dir]), 'is a directory');
  });
});

describe('cdb verify --json', () => {
  it('a sound file: {ok: true, path, format, records, fileSize} on one line, exit 0', async () => {
    const r = await ok(['verify', good, '--json']);
    expect(r.out.endsWith('\n') && !r.out.trimEnd().includes('\n')).toBe(true);
    expect(JSON.parse(r.out)).toEqual({ ok: true, path: good, format: 'mmcdb', records: 9, fileSize: fs.statSync(good).size });
  });

  it('a damaged file: ok false and the error {code, message, offset}; exit 111 and the line on stderr', async () => {
    const file = damaged('flip2.cdb', (b) => {
      b[140] = b[140]! ^ 0x20;
      return b;
    });
    const r = await cdb(['verify', file, '--json']);
    expect(r.status).toBe(111);
    expect(r.stderr).toContain('ERR_CDB_CHECKSUM at offset 96');
    expect(JSON.parse(r.out)).toEqual({
      ok: false,
      path: file,
      format: 'mmcdb',
      records: null,
      fileSize: fs.statSync(file).size,
      error: { code: 'ERR_CDB_CHECKSUM', message: expect.stringContaining('body checksum mismatch'), offset: 96 },
    });
  });

  it('not a database: format null; a missing file: fileSize null and the errno code', async () => {
    const notDb = JSON.parse((await cdb(['verify', fixture('small.jsonl'), '--json'])).out);
    expect(notDb).toMatchObject({ ok: false, format: null, records: null, error: { code: 'ERR_CDB_FORMAT', offset: 0 } });
    const missing = path.join(dir, 'missing.mmcdb');
    const r = await cdb(['verify', missing, '--json']);
    expect(r.status).toBe(111);
    expect(JSON.parse(r.out)).toEqual({
      ok: false,
      path: missing,
      format: null,
      records: null,
      fileSize: null,
      error: { code: 'ENOENT', message: `cannot open ${missing}: no such file or directory (ENOENT)` },
    });
    expect(JSON.parse((await cdb(['verify', dir, '--json'])).out).error.code).toBe('EISDIR');
  });
});

describe('verify and dump name lengths with the same words', () => {
  it('a classic record whose key runs past the records: the same text from verify and from dump and get on every backend', async () => {
    const file = path.join(dir, 'longkey.cdb');
    await ok(['build', file, '--format', 'classic'], { input: '+3,5:one->Hello\n+3,3:two->abc\n\n' });
    const b = fs.readFileSync(file);
    b.writeUInt32LE(255, 2048 + 16); // the second record's key length
    fs.writeFileSync(file, b);
    const said = (stderr: string) => /record at \d+ \(.*?\) runs past the end of the records \(\d+\)/.exec(stderr)?.[0];
    const expected = 'record at 2064 (key 255 bytes, value 3 bytes) runs past the end of the records (2078)';
    const v = await cdb(['verify', file]);
    expect(v.status).toBe(111);
    expect(said(v.stderr)).toBe(expected);
    for (const backend of ['mmap', 'memory', 'pread']) {
      const d = await cdb(['dump', file, '--backend', backend]);
      expect(d.status, backend).toBe(111);
      expect(said(d.stderr), `dump --backend ${backend}`).toBe(expected);
      expect(said((await cdb(['get', file, 'two', '--backend', backend])).stderr), `get --backend ${backend}`).toBe(expected);
    }
  });
});
