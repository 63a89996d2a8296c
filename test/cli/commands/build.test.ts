// cdb build: every input format, the options, the summary line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openSync } from '@mmcdb/core';
import { tempDir } from '../../helpers/tmp.js';
import { cdb, cdbmake, expectGolden, fixture, ok, ROOT, sha256, tempLeftovers } from '../helpers.js';

const dir = tempDir('mmcdb-cli-build-');
let n = 0;
const next = (ext = 'cdb') => path.join(dir, `b${n++}.${ext}`);

function entries(file: string): [string, string][] {
  const r = openSync(file, { backend: 'memory' });
  try {
    return [...r.entries()].map(([k, v]) => [k.toString('latin1'), v.toString('latin1')]);
  } finally {
    r.close();
  }
}

describe('cdb build: input formats (golden dumps in fixtures/cli)', () => {
  it('cdbmake from a file: dump gives back the input bytes exactly', async () => {
    const out = next();
    await ok(['build', out, fixture('small.cdbmake')]);
    expect((await ok(['dump', out])).stdout.equals(fs.readFileSync(fixture('small.cdbmake')))).toBe(true);
  });

  it('cdbmake from stdin, with no input argument and with "-"', async () => {
    const input = fs.readFileSync(fixture('small.cdbmake'));
    const a = next();
    const b = next();
    await ok(['build', a], { input });
    await ok(['build', b, '-'], { input });
    expect(sha256(a)).toBe(sha256(b));
  });

  it.each([
    ['small.jsonl', []],
    ['small.json', []],
    ['small.csv', []],
    ['small.tsv', []],
    ['tree', ['--input-format', 'dir']],
  ])('%s → dump --format jsonl matches the golden file', async (input, extra) => {
    const out = next();
    await ok(['build', out, fixture(input), ...extra]);
    expectGolden((await ok(['dump', out, '--format', 'jsonl'])).stdout, `${input}.dump.jsonl`);
  });

  it('json keeps the file order (integer-like keys too) and repeated keys', async () => {
    const out = next();
    await ok(['build', out, fixture('small.json')]);
    expect(entries(out).map(([k]) => k)).toEqual([
      'b',
      '10',
      '2',
      'nested',
      'null',
      'dup',
      'dup',
      Buffer.from('ünï').toString('latin1'),
    ]);
  });

  it('jsonl: strings as UTF-8, other JSON as its compact text, base64/hex markers decoded', async () => {
    const out = next();
    await ok(['build', out, fixture('small.jsonl')]);
    const r = openSync(out, { backend: 'memory' });
    try {
      expect(r.getString('obj')).toBe('{"b":1,"a":[true,null,2.5]}');
      expect(r.getString('num')).toBe('42');
      expect(r.get('bin')).toEqual(Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13]));
      expect(r.getString(Buffer.from([0xff]))).toBe('raw key byte 0xff');
      expect(r.get('hexed')).toEqual(Buffer.from([0, 0xff]));
      expect(r.getAll('dup').map(String)).toEqual(['first', 'second']);
    } finally {
      r.close();
    }
  });

  it('csv: key and value columns by name or 1-based index; RFC 4180 quoting', async () => {
    const byName = next();
    const byIndex = next();
    await ok(['build', byName, fixture('small.csv'), '--key-column', 'name', '--value-column', 'note']);
    await ok(['build', byIndex, fixture('small.csv'), '--key-column', '2', '--value-column', '4']);
    expect(sha256(byName)).toBe(sha256(byIndex));
    expect(entries(byName)).toEqual([
      ['Ada', 'first, programmer'],
      ['Grace', 'said "hello"'],
      ['Linus', 'multi\r\nline'],
      [Buffer.from('Zoë').toString('latin1'), ''],
    ]);
  });

  it('tsv with --value-column', async () => {
    const out = next();
    await ok(['build', out, fixture('small.tsv'), '--value-column', 'name']);
    expect(entries(out)).toEqual([
      ['FR', 'France'],
      ['JP', 'Japan'],
      ['NZ', 'New Zealand'],
    ]);
  });

  it('dir: keys are relative paths with "/", sorted, values are the file bytes; deterministic', async () => {
    const a = next();
    const b = next();
    await ok(['build', a, fixture('tree'), '--input-format', 'dir']);
    await ok(['build', b, `${fixture('tree')}/`, '--input-format', 'dir']);
    expect(sha256(a)).toBe(sha256(b));
    expect(entries(a).map(([k]) => k)).toEqual(['a.b', 'a.txt', 'b/x', 'empty', 'sub/bin.dat', 'sub/deeper/z.md']);
  });

  it('--input-format overrides the extension; several inputs are read in order', async () => {
    const txt = path.join(dir, 'records.txt');
    fs.copyFileSync(fixture('small.jsonl'), txt);
    const out = next();
    await ok(['build', out, txt, '--input-format', 'jsonl']);
    expect(entries(out)).toHaveLength(10);
    const mixed = next();
    await ok(['build', mixed, fixture('small.cdbmake'), fixture('small.jsonl'), fixture('small.tsv')]);
    expect(entries(mixed)).toHaveLength(9 + 10 + 3);
    expect(entries(mixed)[9]![0]).toBe('alpha');
  });

  it('the fixture countries.jsonl: every ISO 3166-1 alpha-2 code (README quick start)', async () => {
    const out = next();
    await ok(['build', out, path.join(ROOT, 'fixtures/countries.jsonl')]);
    const r = await ok(['get', out, 'FR', '--newline']);
    expect(JSON.parse(r.out)).toEqual({ name: 'France', capital: 'Paris', continent: 'Europe' });
    expect((await ok(['stats', out, '--json'])).out).toContain('"records": 249');
    expect((await ok(['get', out, 'JP'])).out).toContain('Tokyo');
  });
});

describe('cdb build: options', () => {
  const dups = cdbmake([
    ['k', 'v1'],
    ['x', 'only'],
    ['k', 'v2'],
  ]);

  it.each([
    ['all', ['v1', 'v2']],
    ['first', ['v1']],
    ['last', ['v2']],
  ])('--duplicates %s', async (policy, values) => {
    const out = next();
    const r = await ok(['build', out, '--duplicates', policy], { input: dups });
    expect((await ok(['get', out, 'k', '--all', '--json'])).out).toBe(`${JSON.stringify(values)}\n`);
    if (policy === 'first') expect(r.stderr).toContain('1 duplicate record dropped');
  });

  it.each(['mmcdb', 'classic'])(
    '--duplicates last reports the superseded records as first reports the dropped ones (%s)',
    async (format) => {
      const one = await ok(['build', next('x'), '--duplicates', 'last', '--format', format], { input: dups });
      expect(one.stderr).toMatch(/: 2 records, .*; 1 duplicate record superseded \(--duplicates last\)\n$/);
      const input = cdbmake([
        ['k', '1'],
        ['k', '2'],
        ['k', '3'],
        ['j', '1'],
        ['j', '2'],
      ]);
      const three = await ok(['build', next('x'), '--duplicates', 'last', '--format', format], { input });
      expect(three.stderr).toMatch(/: 2 records, .*; 3 duplicate records superseded \(--duplicates last\)\n$/);
      expect(
        (await ok(['build', next('x'), '--duplicates', 'last', '--format', format], { input: cdbmake([['a', '1']]) })).stderr,
      ).not.toContain('superseded');
    },
  );

  it('--duplicates error fails on the second occurrence, naming its line', async () => {
    const out = next();
    const r = await cdb(['build', out, '--duplicates', 'error'], { input: dups });
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/^cdb build: <stdin>:3: duplicate key "k" \(--duplicates error\)/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('--seed: the same seed gives the same file, a different one a different file; random works', async () => {
    const input = fs.readFileSync(fixture('small.cdbmake'));
    const [a, b, c, d] = [next(), next(), next(), next()];
    await ok(['build', a, '--seed', '42'], { input });
    await ok(['build', b, '--seed', '0x2a'], { input });
    await ok(['build', c], { input });
    await ok(['build', d, '--seed', 'random'], { input });
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(a)).not.toBe(sha256(c));
    expect(JSON.parse((await ok(['stats', a, '--json'])).out).seed).toBe('0x000000000000002a');
    expect((await ok(['get', d, 'two'])).out).toBe('2');
    expect((await ok(['verify', d])).status).toBe(0);
  });

  it('--align aligns values; --metadata inline and @file', async () => {
    const meta = path.join(dir, 'meta.json');
    fs.writeFileSync(meta, '{"source": "file", "n": [1, 2]}');
    const a = next();
    const b = next();
    await ok(['build', a, fixture('small.cdbmake'), '--align', '8', '--metadata', '{"v":1}']);
    await ok(['build', b, fixture('small.cdbmake'), '--metadata', `@${meta}`]);
    const sa = JSON.parse((await ok(['stats', a, '--json'])).out);
    expect(sa.valueAlign).toBe(8);
    expect(sa.metadata).toEqual({ v: 1 });
    expect(JSON.parse((await ok(['stats', b, '--json'])).out).metadata).toEqual({ source: 'file', n: [1, 2] });
    expect((await ok(['dump', a])).stdout.equals(fs.readFileSync(fixture('small.cdbmake')))).toBe(true);
  });

  it('--format classic writes a classic cdb byte-identical to tinycdb (fixtures/classic)', async () => {
    const out = next();
    await ok(['build', out, path.join(ROOT, 'fixtures/classic/small.txt'), '--format', 'classic']);
    expect(sha256(out)).toBe(sha256(path.join(ROOT, 'fixtures/classic/small.tinycdb.cdb')));
  });

  it("--format classic with an option it cannot honour prints core's error", async () => {
    const out = next();
    const r = await cdb(['build', out, '--format', 'classic', '--align', '8'], { input: '\n' });
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/^cdb build: format 'classic' cannot align values/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('prints a one-line summary (records, bytes, seconds) on stderr, nothing on stdout; -q silences it', async () => {
    const out = next('mmcdb');
    const r = await ok(['build', out, fixture('small.cdbmake')]);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(
      new RegExp(`^cdb build: wrote .*: 9 records, ${fs.statSync(out).size} bytes, \\d+\\.\\d\\d s \\(mmcdb\\)\\n$`),
    );
    expect((await ok(['build', next('mmcdb'), fixture('small.cdbmake'), '-q'])).stderr).toBe('');
  });

  it('an mmcdb file named .cdb (no --format): a warning that cdb readers cannot read it, -q or not', async () => {
    const out = next('cdb');
    const r = await ok(['build', out, fixture('small.cdbmake')]);
    expect(r.stderr).toMatch(
      /^cdb build: warning: .*\.cdb: wrote the mmcdb format, not classic cdb: tinycdb, Postfix .*--format classic.*\ncdb build: wrote /,
    );
    expect((await ok(['build', next('CDB'), fixture('small.cdbmake'), '-q'])).stderr).toContain('warning: ');
    fs.mkdirSync(path.join(dir, 'site'));
    fs.writeFileSync(path.join(dir, 'site', 'a.txt'), 'a');
    expect((await ok(['build', '--assets', next('cdb'), path.join(dir, 'site'), '-q'])).stderr).toContain('warning: ');
    // Not for an explicit --format, .mmcdb names, other names, or a failed build (one line).
    for (const args of [
      [next('cdb'), '--format', 'mmcdb'],
      [next('cdb'), '--format', 'classic'],
      [next('mmcdb')],
      [next('db')],
    ]) {
      expect((await ok(['build', ...args, fixture('small.cdbmake'), '-q'])).stderr, args.join(' ')).toBe('');
    }
    const failed = await cdb(['build', next('cdb')], { input: 'nope' });
    expect(failed.status).toBe(111);
    expect(failed.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
  });

  it('an empty input builds an empty database', async () => {
    const out = next();
    await ok(['build', out], { input: '\n' });
    expect((await ok(['stats', out, '--json'])).out).toContain('"records": 0');
    expect((await cdb(['get', out, 'x'])).status).toBe(100);
  });

  it('replaces an existing target atomically', async () => {
    const out = next();
    await ok(['build', out], { input: cdbmake([['a', '1']]) });
    await ok(['build', out], { input: cdbmake([['a', '2']]) });
    expect((await ok(['get', out, 'a'])).out).toBe('2');
  });
});

describe('cdb build: real-world csv/tsv (fixtures/cli/debian.csv, iso3166.tab)', () => {
  it("distro-info-data's debian.csv (trailing empty columns omitted): an error naming the line and the option, then --relax-column-count", async () => {
    const out = next('mmcdb');
    const r = await cdb(['build', out, fixture('debian.csv'), '--key-column', 'series']);
    expect(r.status).toBe(111);
    expect(r.stderr).toBe(
      `cdb build: ${fixture('debian.csv')}:2: expected 8 fields (as in the header), got 6 (--relax-column-count takes missing fields as empty)\n`,
    );
    await ok(['build', out, fixture('debian.csv'), '--key-column', 'series', '--relax-column-count', '-q']);
    expect(JSON.parse((await ok(['get', out, 'forky'])).out)).toEqual({
      version: '14',
      codename: 'Forky',
      series: 'forky',
      created: '2025-08-09',
      release: '',
      eol: '',
      'eol-lts': '',
      'eol-elts': '',
    });
    expect((await ok(['get', out, 'bookworm', 'sid', '--json'])).out).toContain('"eol-elts\\":\\"2033-06-30\\"');
    expect(entries(out)).toHaveLength(8);
  });

  it("tzdata's iso3166.tab (# comments, no header): --no-header --comment '#'", async () => {
    const out = next('mmcdb');
    expect((await cdb(['build', out, fixture('iso3166.tab')])).stderr).toMatch(
      /iso3166\.tab:9: expected 1 field \(as in the header\), got 2/,
    );
    await ok(['build', out, fixture('iso3166.tab'), '--no-header', '--comment', '#', '--value-column', '2', '-q']);
    expect((await ok(['get', out, 'CI', 'AX', 'KR', '--newline'])).out).toBe("Côte d'Ivoire\nÅland Islands\nKorea (South)\n");
    expect(entries(out).map(([k]) => k)).toEqual(['AD', 'AX', 'CI', 'DE', 'FR', 'GB', 'KR', 'RE']);
    const whole = next('mmcdb');
    await ok(['build', whole, fixture('iso3166.tab'), '--no-header', '--comment', '#', '-q']);
    expect(JSON.parse((await ok(['get', whole, 'RE'])).out)).toEqual(['RE', 'Réunion']);
  });

  it('columns are 1-based: --key-column 0 says so (exit 2); names need a header (exit 2)', async () => {
    const zero = await cdb(['build', next('mmcdb'), fixture('debian.csv'), '--key-column', '0', '--relax-column-count']);
    expect(zero.status).toBe(2);
    expect(zero.stderr).toBe('cdb build: --key-column 0: columns are numbered from 1 (the first column is 1)\n');
    const named = await cdb([
      'build',
      next('mmcdb'),
      fixture('iso3166.tab'),
      '--no-header',
      '--comment',
      '#',
      '--value-column',
      'name',
    ]);
    expect(named.status).toBe(2);
    expect(named.stderr).toContain('with --no-header, columns are given by number');
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it('the csv/tsv options are usage errors for other inputs and with --assets; --comment takes one character', async () => {
    for (const flag of [['--no-header'], ['--comment', '#'], ['--relax-column-count']]) {
      const r = await cdb(['build', next('mmcdb'), fixture('small.cdbmake'), ...flag]);
      expect(r.status, flag[0]).toBe(2);
      expect(r.stderr).toContain(`${flag[0]} applies to csv/tsv input only`);
    }
    expect((await cdb(['build', next('mmcdb'), fixture('small.csv'), '--comment', '//'])).status).toBe(2);
    expect((await cdb(['build', next('mmcdb'), fixture('small.csv'), '--comment', '"'])).status).toBe(2);
    expect((await cdb(['build', '--assets', next('mmcdb'), dir, '--no-header'])).stderr).toContain(
      '--assets cannot be combined with --no-header',
    );
  });
});
