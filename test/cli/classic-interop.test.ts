// The cdb CLI against tinycdb, the reference tool (always /usr/bin/cdb; ours is
// packages/cli/dist/bin.js): seeded random datasets with duplicates, empty keys and
// values, binary bytes, keys crowded into one table and the djb collision pair.
//   cdb build --format classic   = /usr/bin/cdb -c   (and -u / -r for --duplicates first / last)
//   cdb dump                     = /usr/bin/cdb -d
//   cdb get --all                = /usr/bin/cdb -q
//   cdb stats --tinycdb          = /usr/bin/cdb -s   (and `cdb stats` shows the same numbers)
//   cdb convert mmcdb -> classic -> mmcdb keeps every record in order.
// Skipped, with the reason printed, only when tinycdb is not installed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { cdbmakeText, dataset, modelOf, rng, type Rec } from '../core/format/classic/helpers.js';
import { BIN, cdb, ok, sha256 } from './helpers.js';

const TINYCDB = '/usr/bin/cdb';

function tinycdbMissing(): string | undefined {
  if (!fs.existsSync(TINYCDB)) return `${TINYCDB} (tinycdb) is not installed: apt-get install tinycdb`;
  const help = spawnSync(TINYCDB, ['-h'], { encoding: 'latin1' });
  if (!String(help.stdout).includes('Constant DataBase')) return `${TINYCDB} is not tinycdb`;
  return undefined;
}

const missing = tinycdbMissing();
if (missing) console.warn(`[cli classic interop] skipped: ${missing}`);

/** Runs tinycdb; raw output. */
function tiny(args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(TINYCDB, args, { maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/**
 * `cdb -q db <key>` for a key of any bytes but NUL (argv cannot carry NUL; Node would
 * re-encode a string argument as UTF-8): the shell builds the argument from octal escapes.
 */
function tinyQuery(db: string, key: Buffer): { status: number | null; stdout: Buffer } {
  const octal = [...key].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
  // The trailing "." keeps $(…) from eating trailing newlines of the key.
  const script = `k=$(printf '${octal}.'); k=\${k%.}; exec ${TINYCDB} -q "$0" "$k"`;
  const r = spawnSync('/bin/sh', ['-c', script, db], { maxBuffer: 1 << 28 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout };
}

/** Parses `cdb -s` text into its numbers, in order. */
function numbersOf(text: string): number[] {
  return [...text.matchAll(/\d+/g)].map((m) => Number(m[0]));
}

const SEEDS = [1, 2, 3];
const COUNT = 2500;

describe.skipIf(missing !== undefined)('cdb CLI vs tinycdb (/usr/bin/cdb)', () => {
  const dir = tempDir('mmcdb-cli-classic-');
  const sets = new Map<number, { recs: Rec[]; input: string; tiny: string; ours: string; mm: string }>();
  const f = (name: string): string => path.join(dir, name);

  beforeAll(async () => {
    for (const seed of SEEDS) {
      const recs = dataset(seed, COUNT);
      const input = f(`in${seed}.cdbmake`);
      fs.writeFileSync(input, cdbmakeText(recs));
      const t = f(`tiny${seed}.cdb`);
      expect(tiny(['-c', t, input]).status).toBe(0);
      const ours = f(`ours${seed}.cdb`);
      await ok(['build', ours, input, '--format', 'classic', '-q']);
      const mm = f(`mm${seed}.mmcdb`);
      await ok(['build', mm, input, '-q']);
      sets.set(seed, { recs, input, tiny: t, ours, mm });
    }
  });

  it.each(SEEDS)('seed %i: cdb build --format classic is byte-identical to cdb -c (-u, -r too)', async (seed) => {
    const s = sets.get(seed)!;
    expect(sha256(s.ours)).toBe(sha256(s.tiny));
    for (const [flag, policy] of [
      ['-u', 'first'],
      ['-r', 'last'],
    ] as const) {
      const theirs = f(`tiny${seed}${flag}.cdb`);
      expect(tiny(['-c', flag, theirs, s.input]).status).toBe(0);
      const ours = f(`ours${seed}${flag}.cdb`);
      await ok(['build', ours, s.input, '--format', 'classic', '--duplicates', policy, '-q']);
      expect(sha256(ours), `${flag} vs --duplicates ${policy}`).toBe(sha256(theirs));
    }
  });

  it.each(SEEDS)('seed %i: cdb dump of a classic file is byte-identical to cdb -d', async (seed) => {
    const s = sets.get(seed)!;
    const theirs = tiny(['-d', s.tiny]);
    expect(theirs.status).toBe(0);
    expect(theirs.stdout.equals(cdbmakeText(s.recs))).toBe(true);
    for (const backend of ['memory', 'pread']) {
      expect((await ok(['dump', s.tiny, '--backend', backend])).stdout.equals(theirs.stdout), backend).toBe(true);
    }
    expect((await ok(['dump', s.mm])).stdout.equals(theirs.stdout), 'the mmcdb build dumps the same').toBe(true);
  });

  it.each(SEEDS)('seed %i: cdb get --all gives what cdb -q gives (binary, empty, colliding keys; exit 100)', async (seed) => {
    const s = sets.get(seed)!;
    const model = modelOf(s.recs);
    const rand = rng(seed * 7919);
    const all = [...model.keys()].map((hex) => Buffer.from(hex, 'hex'));
    // The interesting ones first, then a random sample.
    const picks: Buffer[] = [Buffer.alloc(0), Buffer.from('playwright'), Buffer.from('snush')];
    const multi = all.filter((k) => model.get(k.toString('hex'))!.length > 2);
    picks.push(...multi.slice(0, 4));
    while (picks.length < 20) picks.push(all[Math.floor(rand() * all.length)]!);
    picks.push(Buffer.from(`absent-${seed}`), Buffer.from([0xff, 0xfe, 10]));
    let compared = 0;
    for (const key of picks) {
      const ours = await cdb(['get', s.tiny, key.toString('hex'), '--key-encoding', 'hex', '--all']);
      const expected = model.get(key.toString('hex'));
      if (expected === undefined) expect(ours.status).toBe(100);
      else expect(ours.stdout.equals(Buffer.concat(expected)), key.toString('hex')).toBe(true);
      if (key.includes(0)) continue; // not expressible as an argument to tinycdb
      const theirs = tinyQuery(s.tiny, key);
      expect(ours.status, key.toString('hex')).toBe(theirs.status);
      expect(ours.stdout.equals(theirs.stdout), key.toString('hex')).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThan(15);
  });

  it.each(SEEDS)('seed %i: cdb stats --tinycdb is byte-identical to cdb -s; cdb stats shows the same numbers', async (seed) => {
    const s = sets.get(seed)!;
    const files = [s.tiny, f(`tiny${seed}-r.cdb`), f(`tiny${seed}-u.cdb`)];
    const zero = f(`tiny${seed}-0.cdb`); // -0: replaced records stay, zero-filled, in no table
    expect(tiny(['-c', '-0', zero, s.input]).status).toBe(0);
    files.push(zero);
    for (const file of files) {
      const theirs = tiny(['-s', file]);
      expect(theirs.status).toBe(0);
      expect((await ok(['stats', file, '--tinycdb'])).stdout.toString('latin1'), path.basename(file)).toBe(
        theirs.stdout.toString('latin1'),
      );
      expectSameNumbers((await ok(['stats', file])).out, theirs.stdout.toString('latin1'));
    }
  });

  it.each(SEEDS)('seed %i: cdb convert mmcdb -> classic -> mmcdb keeps every record in order', async (seed) => {
    const s = sets.get(seed)!;
    const classic = f(`conv${seed}.cdb`);
    await ok(['convert', s.mm, classic, '--format', 'classic', '-q']);
    // Same records in the same order: the very file tinycdb makes.
    expect(sha256(classic)).toBe(sha256(s.tiny));
    const back = f(`back${seed}.mmcdb`);
    await ok(['convert', classic, back, '--format', 'mmcdb', '-q']);
    const dump = (await ok(['dump', back])).stdout;
    expect(dump.equals((await ok(['dump', s.mm])).stdout)).toBe(true);
    expect(dump.equals(tiny(['-d', classic]).stdout)).toBe(true);
    expect(sha256(back)).toBe(sha256(s.mm)); // default seed and alignment: deterministic
    // With another seed and alignment: a different file, the same records.
    const aligned = f(`aligned${seed}.mmcdb`);
    await ok(['convert', s.tiny, aligned, '--format', 'mmcdb', '--seed', String(seed), '--align', '8', '-q']);
    expect(sha256(aligned)).not.toBe(sha256(s.mm));
    expect((await ok(['dump', aligned])).stdout.equals(dump)).toBe(true);
    expect((await ok(['verify', aligned])).out).toContain(`ok (mmcdb, ${s.recs.length} records`);
  });

  it('an mmcdb file built with --duplicates last converts to what cdb -c -r makes', async () => {
    const s = sets.get(SEEDS[0]!)!;
    const last = f('last.mmcdb');
    await ok(['build', last, s.input, '--duplicates', 'last', '-q']);
    const classic = f('last.cdb');
    await ok(['convert', last, classic, '-q']);
    expect(sha256(classic)).toBe(sha256(f(`tiny${SEEDS[0]}-r.cdb`)));
  });

  it('the empty database: build, dump, stats, convert agree with tinycdb', async () => {
    const input = f('empty.cdbmake');
    fs.writeFileSync(input, '\n');
    const theirs = f('empty-tiny.cdb');
    expect(tiny(['-c', theirs, input]).status).toBe(0);
    const ours = f('empty-ours.cdb');
    await ok(['build', ours, input, '--format', 'classic', '-q']);
    expect(sha256(ours)).toBe(sha256(theirs));
    expect((await ok(['dump', theirs])).out).toBe(tiny(['-d', theirs]).stdout.toString());
    expect((await ok(['stats', theirs, '--tinycdb'])).out).toBe(tiny(['-s', theirs]).stdout.toString());
    const mm = f('empty.mmcdb');
    await ok(['convert', theirs, mm, '-q']);
    const again = f('empty-again.cdb');
    await ok(['convert', mm, again, '-q']);
    expect(sha256(again)).toBe(sha256(theirs));
    expect(tiny(['-q', again, 'x']).status).toBe(100);
    expect((await cdb(['get', again, 'x'])).status).toBe(100);
  });
});

describe.skipIf(missing !== undefined)('keys that are not UTF-8 (an EUC-JP dictionary made by tinycdb)', () => {
  const dir = tempDir('mmcdb-cli-eucjp-');
  const db = path.join(dir, 'SKK-JISYO.cdb');
  // SKK-JISYO style: reading -> candidates, both EUC-JP: あい -> /愛/相/, かな -> /仮名/.
  const AI = Buffer.from('a4a2a4a4', 'hex');
  const AI_VALUE = Buffer.from('2fb0a62fc1ea2f', 'hex');
  const KANA = Buffer.from('a4aba4ca', 'hex');
  const KANA_VALUE = Buffer.from('2fb2beccbe2f', 'hex');

  beforeAll(() => {
    const input = path.join(dir, 'in.cdbmake');
    fs.writeFileSync(
      input,
      cdbmakeText([
        [AI, AI_VALUE],
        [KANA, KANA_VALUE],
      ]),
    );
    expect(tiny(['-c', db, input]).status).toBe(0);
  });

  it('cdb get <db> - reads the key bytes from stdin and finds what cdb -q finds', async () => {
    const theirs = tinyQuery(db, AI);
    expect(theirs.status).toBe(0);
    const ours = await ok(['get', db, '-'], { input: Buffer.concat([AI, Buffer.from('\n')]) });
    expect(ours.stdout.equals(theirs.stdout)).toBe(true);
    const both = await ok(['get', db, '-', '--newline'], {
      input: Buffer.concat([KANA, Buffer.from('\n'), AI, Buffer.from('\n')]),
    });
    expect(both.stdout.equals(Buffer.concat([KANA_VALUE, Buffer.from('\n'), AI_VALUE, Buffer.from('\n')]))).toBe(true);
    expect((await ok(['get', db, AI.toString('hex'), '--key-encoding', 'hex'])).stdout.equals(AI_VALUE)).toBe(true);
  });

  it('the same key as a command-line argument: exit 2 with the hint, where cdb -q finds it', () => {
    const octal = [...AI].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
    const script = `exec "$0" "$1" get "$2" "$(printf '${octal}')"`;
    const r = spawnSync('/bin/sh', ['-c', script, process.execPath, BIN, db], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cdb get: the key .* holds U\+FFFD: .*--key-encoding hex or base64.*\| cdb get <db> -\n$/);
  });
});

/**
 * Every number of `cdb -s` is in our `cdb stats` text, at its place: records, key and value
 * min/avg/max (tinycdb's rounding, after "cdb -s:"), tables, entries (= slots), collisions,
 * table min/avg/max, and each distance with its percentage.
 */
function expectSameNumbers(ours: string, theirs: string): void {
  const t = numbersOf(theirs);
  const [records, kmin, kavg, kmax, vmin, vavg, vmax, tables, entries, collisions, tmin, tavg, tmax] = t;
  const line = (label: string): string => ours.split('\n').find((l) => l.startsWith(label)) ?? `(no ${label} line)`;
  expect(line('records:')).toBe(`records:         ${records}`);
  expect(line('key length:')).toMatch(new RegExp(`; cdb -s: ${kmin}/${kavg}/${kmax}$`));
  expect(line('value length:')).toMatch(new RegExp(`; cdb -s: ${vmin}/${vavg}/${vmax}$`));
  expect(line('index:')).toMatch(new RegExp(` of ${entries} slots used, .*, ${tables} non-empty tables$`));
  expect(line('table length:')).toMatch(new RegExp(`; cdb -s: ${tmin}/${tavg}/${tmax}$`));
  const c = line('collisions:');
  expect(c.endsWith(`; cdb -s: ${collisions}`) || c.startsWith(`collisions:      ${collisions} `), c).toBe(true);
  const theirDistances = theirs.split('\n').filter((l) => /^ (d\d|>9):/.test(l));
  const ourDistances = ours.split('\n').filter((l) => /^ {2}(d\d|>9) /.test(l));
  expect(ourDistances).toHaveLength(11);
  expect(ourDistances.map(numbersOf).map((n) => n.slice(-2))).toEqual(theirDistances.map(numbersOf).map((n) => n.slice(-2)));
}
