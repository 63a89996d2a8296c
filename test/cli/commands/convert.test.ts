// cdb convert: mmcdb <-> classic, every record in order (duplicates too), options of the
// output format, metadata, and the error standard (one line, exit 111, target untouched,
// no temp file) — including a classic output that would pass the 4 GiB limit.
// The byte-exact comparisons with tinycdb are in classic-interop.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { openSync, verify } from '@mmcdb/core';
import { tempDir } from '../../helpers/tmp.js';
import { cdb, cdbmake, expectOneLineError, fixture, ok, ROOT, sha256, tempLeftovers } from '../helpers.js';

const dir = tempDir('mmcdb-cli-convert-');
const p = (name: string): string => path.join(dir, name);
const CHILD = path.join(ROOT, 'test/cli/commands/too-large-child.mjs');

const RECORDS: [Buffer, Buffer][] = [
  [Buffer.from('a'), Buffer.from('1')],
  [Buffer.from(''), Buffer.from('empty key')],
  [Buffer.from([0, 255, 10]), Buffer.from([1, 2, 3, 0])],
  [Buffer.from('a'), Buffer.from('2')],
  [Buffer.from('b'), Buffer.alloc(0)],
  [Buffer.from('a'), Buffer.from('3')],
];
const INPUT = cdbmake(RECORDS);

beforeAll(async () => {
  fs.writeFileSync(p('in.cdbmake'), INPUT);
  await ok(['build', p('src.mmcdb'), p('in.cdbmake'), '--metadata', '{"v":1}', '-q']);
  await ok(['build', p('src.cdb'), p('in.cdbmake'), '--format', 'classic', '-q']);
});

describe('cdb convert', () => {
  it('mmcdb -> classic by default, every record in order, same file as cdb build --format classic', async () => {
    const r = await ok(['convert', p('src.mmcdb'), p('out.cdb')]);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(/^cdb convert: wrote .*out\.cdb: 6 records, \d+ bytes, [\d.]+ s \(mmcdb -> classic\)\n/m);
    expect(r.stderr).toContain('warning: the metadata of');
    expect(fs.readFileSync(p('out.cdb')).equals(fs.readFileSync(p('src.cdb')))).toBe(true);
    expect((await ok(['dump', p('out.cdb')])).stdout.equals(INPUT)).toBe(true);
    expect((await ok(['get', p('out.cdb'), 'a', '--all', '--json'])).out).toBe('["1","2","3"]\n');
  });

  it('classic -> mmcdb by default; with --format mmcdb the same bytes as cdb build', async () => {
    await ok(['convert', p('src.cdb'), p('back.mmcdb'), '-q']);
    await ok(['build', p('plain.mmcdb'), p('in.cdbmake'), '-q']);
    expect(sha256(p('back.mmcdb'))).toBe(sha256(p('plain.mmcdb')));
    await ok(['convert', p('src.cdb'), p('back2.mmcdb'), '--format', 'mmcdb', '-q']);
    expect(sha256(p('back2.mmcdb'))).toBe(sha256(p('plain.mmcdb')));
    expect((await ok(['dump', p('back.mmcdb')])).stdout.equals(INPUT)).toBe(true);
  });

  it('mmcdb -> mmcdb keeps the metadata and applies --seed and --align', async () => {
    const r = await ok(['convert', p('src.mmcdb'), p('re.mmcdb'), '--format', 'mmcdb', '--seed', '0x1234', '--align', '16']);
    expect(r.stderr).not.toContain('warning');
    const s = JSON.parse((await ok(['stats', p('re.mmcdb'), '--json'])).out);
    expect(s.seed).toBe('0x0000000000001234');
    expect(s.valueAlign).toBe(16);
    expect(s.metadata).toEqual({ v: 1 });
    expect((await ok(['dump', p('re.mmcdb')])).stdout.equals(INPUT)).toBe(true);
    expect((await verify(p('re.mmcdb'))).ok).toBe(true);
    // --seed random gives a different, still complete, file.
    await ok(['convert', p('src.mmcdb'), p('rnd.mmcdb'), '--format', 'mmcdb', '--seed', 'random', '-q']);
    expect((await ok(['dump', p('rnd.mmcdb')])).stdout.equals(INPUT)).toBe(true);
  });

  it('records superseded by --duplicates last are not copied; the survivors keep their order', async () => {
    await ok(['build', p('last.mmcdb'), p('in.cdbmake'), '--duplicates', 'last', '-q']);
    await ok(['convert', p('last.mmcdb'), p('last.cdb'), '-q']);
    expect((await ok(['dump', p('last.cdb')])).stdout.equals((await ok(['dump', p('last.mmcdb')])).stdout)).toBe(true);
    expect((await ok(['get', p('last.cdb'), 'a', '--all'])).out).toBe('3');
  });

  it('converts in place (in = out) atomically', async () => {
    fs.copyFileSync(p('src.cdb'), p('inplace.db'));
    await ok(['convert', p('inplace.db'), p('inplace.db'), '-q']);
    const db = openSync(p('inplace.db'), { backend: 'memory' });
    expect(db.format).toBe('mmcdb');
    expect(db.getAll('a').map(String)).toEqual(['1', '2', '3']);
    db.close();
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it('the empty database converts both ways', async () => {
    fs.writeFileSync(p('empty.cdbmake'), '\n');
    await ok(['build', p('empty.mmcdb'), p('empty.cdbmake'), '-q']);
    await ok(['convert', p('empty.mmcdb'), p('empty.cdb'), '-q']);
    expect(fs.statSync(p('empty.cdb')).size).toBe(2048);
    await ok(['convert', p('empty.cdb'), p('empty2.mmcdb'), '-q']);
    expect(sha256(p('empty2.mmcdb'))).toBe(sha256(p('empty.mmcdb')));
    expect((await ok(['dump', p('empty2.mmcdb')])).out).toBe('\n');
  });

  it('a missing or unreadable input: one line, exit 111, nothing created', async () => {
    expectOneLineError(await cdb(['convert', p('nope.cdb'), p('x.cdb')]), 'cdb convert: cannot open', 'nope.cdb', '(ENOENT)');
    expectOneLineError(await cdb(['convert', fixture('small.csv'), p('x.cdb')]), 'cdb convert:', 'ERR_CDB_FORMAT');
    expectOneLineError(await cdb(['convert', dir, p('x.cdb')]), 'is a directory');
    expect(fs.existsSync(p('x.cdb'))).toBe(false);
  });

  it('options the output format cannot honour: one line, exit 111, the target untouched', async () => {
    fs.writeFileSync(p('keep.cdb'), 'previous');
    expectOneLineError(
      await cdb(['convert', p('src.mmcdb'), p('keep.cdb'), '--format', 'classic', '--seed', '1']),
      'has no seed',
    );
    expectOneLineError(await cdb(['convert', p('src.mmcdb'), p('keep.cdb'), '--align', '8']), 'cannot align');
    expect(fs.readFileSync(p('keep.cdb'), 'utf8')).toBe('previous');
    expectOneLineError(
      await cdb(['convert', p('src.mmcdb'), '/no/such/dir/x.cdb']),
      'cannot create /no/such/dir/x.cdb',
      '(ENOENT)',
    );
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it('usage errors exit 2', async () => {
    expect((await cdb(['convert', p('src.mmcdb')])).status).toBe(2);
    expect((await cdb(['convert', p('src.mmcdb'), p('y'), '--format', 'cdb'])).status).toBe(2);
    expect((await cdb(['convert', p('src.mmcdb'), p('y'), '--align', '3'])).status).toBe(2);
    expect(fs.existsSync(p('y'))).toBe(false);
  });

  it('a classic output that would pass the size limit: ERR_CDB_TOO_LARGE, exit 111, nothing published', async () => {
    // The real limit is 2^32 - 1 bytes; the child lowers it with core's test hook.
    const recs: [string, string][] = [];
    for (let i = 0; i < 50; i++) recs.push([`key${i}`, 'v'.repeat(100)]);
    fs.writeFileSync(p('fifty.cdbmake'), cdbmake(recs));
    await ok(['build', p('fifty.mmcdb'), p('fifty.cdbmake'), '-q']);
    fs.writeFileSync(p('big.cdb'), 'previous');
    const limit = 2048 + 10 * (8 + 5 + 100) + 10 * 16;
    const r = spawnSync(process.execPath, [CHILD, String(limit), 'convert', p('fifty.mmcdb'), p('big.cdb')], {
      encoding: 'utf8',
    });
    expectOneLineError(
      { status: r.status, signal: r.signal, stdout: Buffer.from(r.stdout), out: r.stdout, stderr: r.stderr },
      /^cdb convert: .*big\.cdb: a classic cdb file cannot pass \d+ bytes .*\[ERR_CDB_TOO_LARGE\]\n$/,
    );
    expect(r.stdout).toBe('');
    expect(fs.readFileSync(p('big.cdb'), 'utf8')).toBe('previous');
    expect(tempLeftovers(dir)).toEqual([]);
    // The same child under a limit that fits converts normally (the hook is what failed it).
    const exact = 2048 + 50 * (8 + 100 + 16) + 10 * 4 + 40 * 5;
    const fits = spawnSync(process.execPath, [CHILD, String(exact), 'convert', p('fifty.mmcdb'), p('big.cdb'), '-q']);
    expect(fits.status, fits.stderr.toString()).toBe(0);
    expect(fs.statSync(p('big.cdb')).size).toBe(exact);
  });
});

describe('cdb convert: which output format', () => {
  const formatOf = (file: string): string => {
    const db = openSync(file, { backend: 'memory' });
    try {
      return db.format;
    } finally {
      db.close();
    }
  };

  it('the output name decides: .mmcdb is mmcdb, .cdb is classic, whatever the input', async () => {
    await ok(['convert', p('src.mmcdb'), p('copy.mmcdb'), '-q']);
    expect(formatOf(p('copy.mmcdb'))).toBe('mmcdb');
    await ok(['convert', p('src.cdb'), p('copy.cdb'), '-q']);
    expect(sha256(p('copy.cdb'))).toBe(sha256(p('src.cdb')));
    await ok(['convert', p('src.mmcdb'), p('CAPS.CDB'), '-q']);
    expect(formatOf(p('CAPS.CDB'))).toBe('classic');
  });

  it('mmcdb-only options work without --format: --align, --seed random', async () => {
    const r = await ok(['convert', p('src.mmcdb'), p('aligned.mmcdb'), '--align', '8']);
    expect(r.stderr).toContain('(mmcdb -> mmcdb)');
    expect(JSON.parse((await ok(['stats', p('aligned.mmcdb'), '--json'])).out).valueAlign).toBe(8);
    await ok(['convert', p('src.mmcdb'), p('random.mmcdb'), '--seed', 'random', '-q']);
    expect(formatOf(p('random.mmcdb'))).toBe('mmcdb');
    // A name that says nothing: the options imply mmcdb.
    await ok(['convert', p('src.mmcdb'), p('aligned.db'), '--align', '16', '-q']);
    expect(formatOf(p('aligned.db'))).toBe('mmcdb');
  });

  it('a name that says nothing and no mmcdb option: the other format, as before; --format always wins', async () => {
    await ok(['convert', p('src.mmcdb'), p('other.db'), '-q']);
    expect(formatOf(p('other.db'))).toBe('classic');
    await ok(['convert', p('src.mmcdb'), p('forced.mmcdb'), '--format', 'classic', '-q']);
    expect(formatOf(p('forced.mmcdb'))).toBe('classic');
  });

  it('onto itself without a format change: usage error (exit 2), the file untouched', async () => {
    fs.copyFileSync(p('src.mmcdb'), p('self.mmcdb'));
    const before = sha256(p('self.mmcdb'));
    const r = await cdb(['convert', p('self.mmcdb'), p('self.mmcdb')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^cdb convert: .*self\.mmcdb is .*self\.mmcdb, already mmcdb: nothing to convert/);
    // The same file under another name (a hard link) is the same file.
    fs.linkSync(p('self.mmcdb'), p('self-link.db'));
    expect((await cdb(['convert', p('self-link.db'), p('self.mmcdb')])).status).toBe(2);
    expect((await cdb(['convert', p('self.mmcdb'), p('self.mmcdb'), '--format', 'mmcdb'])).status).toBe(2);
    expect(sha256(p('self.mmcdb'))).toBe(before);
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it('onto itself with a change: --seed/--align rewrite it in place; --format classic converts it', async () => {
    fs.copyFileSync(p('src.mmcdb'), p('reseed.mmcdb'));
    await ok(['convert', p('reseed.mmcdb'), p('reseed.mmcdb'), '--seed', '7', '-q']);
    expect(JSON.parse((await ok(['stats', p('reseed.mmcdb'), '--json'])).out).seed).toBe('0x0000000000000007');
    await ok(['convert', p('reseed.mmcdb'), p('reseed.mmcdb'), '--format', 'classic', '-q']);
    expect(formatOf(p('reseed.mmcdb'))).toBe('classic');
    expect((await ok(['dump', p('reseed.mmcdb')])).stdout.equals(INPUT)).toBe(true);
  });
});
