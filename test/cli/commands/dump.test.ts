// cdb dump and cdb keys: file order, cdbmake and jsonl forms, golden outputs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { BIN, cdbmake, expectGolden, fixture, ok, ROOT } from '../helpers.js';

const dir = tempDir('mmcdb-cli-dump-');
const small = path.join(dir, 'small.cdb');
const countries = path.join(dir, 'countries.cdb');

beforeAll(async () => {
  await ok(['build', small, fixture('small.cdbmake')]);
  await ok(['build', countries, path.join(ROOT, 'fixtures/countries.jsonl')]);
});

describe('cdb dump', () => {
  it('cdbmake (default): every record in file order, duplicates included, final empty line', async () => {
    expectGolden((await ok(['dump', small])).stdout, 'small.cdbmake');
  });

  it('--format jsonl: strings when UTF-8, base64 with a marker otherwise', async () => {
    expectGolden((await ok(['dump', small, '--format', 'jsonl'])).stdout, 'small.cdbmake.dump.jsonl');
    const lines = (await ok(['dump', small, '-f', 'jsonl'])).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[3]).toEqual({ key: 'bin', value: 'AAEC//4KDQ==', encoding: 'base64' });
  });

  it('countries: jsonl dump values are the compact JSON text of the input values', async () => {
    const input = fs
      .readFileSync(path.join(ROOT, 'fixtures/countries.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const dumped = (await ok(['dump', countries, '--format', 'jsonl'])).out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(dumped).toEqual(input.map((r) => ({ key: r.key, value: JSON.stringify(r.value) })));
  });

  it('cdbmake: lengths of every digit count, binary bytes, both formats — exactly the input back', async () => {
    const sizes = [0, 1, 9, 10, 31, 32, 33, 99, 100, 999, 1000, 65_535, 65_536, 70_000, 1_000_000];
    const recs = sizes.map((n, i) => [Buffer.alloc(n % 300, i + 1), Buffer.alloc(n, (n * 7) & 0xff)] as [Buffer, Buffer]);
    const input = cdbmake(recs);
    for (const format of ['mmcdb', 'classic']) {
      const db = path.join(dir, `sizes.${format}`);
      await ok(['build', db, '--format', format], { input });
      expect(Buffer.compare((await ok(['dump', db])).stdout, input)).toBe(0);
    }
  });

  it('an empty database dumps as a single empty line (cdbmake) or nothing (jsonl)', async () => {
    const empty = path.join(dir, 'empty.cdb');
    await ok(['build', empty], { input: '\n' });
    expect((await ok(['dump', empty])).out).toBe('\n');
    expect((await ok(['dump', empty, '--format', 'jsonl'])).out).toBe('');
  });

  it('a reader that closes the pipe early ends the dump quietly (exit 0, no message)', async () => {
    const big = path.join(dir, 'big.cdb');
    const recs = Array.from({ length: 50_000 }, (_, i) => [`key${i}`, 'x'.repeat(64)] as [string, string]);
    await ok(['build', big], { input: cdbmake(recs) });
    const child = spawn(process.execPath, [BIN, 'dump', big], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('cdb keys', () => {
  it('one key per line, in file order, duplicates repeated', async () => {
    expectGolden((await ok(['keys', countries])).stdout, 'countries.keys');
    const keys = (await ok(['keys', small])).stdout;
    expect(keys.toString('latin1')).toBe(
      ['one', 'two', 'multi\nline key', 'bin', 'dup', 'empty', '', 'dup', 'caf\u00c3\u00a9', ''].join('\n'),
    );
  });

  it('--cdbmake prints +klen:key lines and a final empty line (like tinycdb cdb -l)', async () => {
    expectGolden((await ok(['keys', small, '--cdbmake'])).stdout, 'small.keys.cdbmake');
  });

  it('--cdbmake output matches tinycdb `cdb -l` for a classic file (when tinycdb is installed)', async () => {
    const classic = path.join(dir, 'classic.cdb');
    await ok(['build', classic, fixture('small.cdbmake'), '--format', 'classic']);
    const ours = (await ok(['keys', classic, '--cdbmake'])).stdout;
    if (!fs.existsSync('/usr/bin/cdb')) return;
    const theirs = spawnSync('/usr/bin/cdb', ['-l', classic]);
    if (theirs.status !== 0) return; // not tinycdb
    expect(ours.equals(theirs.stdout)).toBe(true);
    const dump = spawnSync('/usr/bin/cdb', ['-d', classic]);
    expect((await ok(['dump', classic])).stdout.equals(dump.stdout)).toBe(true);
  });
});
