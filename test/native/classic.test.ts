// Classic djb cdb files: built by Debian's tinycdb (/usr/bin/cdb, when installed) and
// by the test-only classic writer, which must agree byte for byte.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildClassic, cdbmakeInput, djb } from './helpers/classic-builder.js';
import type { Rec } from './helpers/mmcdb-builder.js';
import { native, testAddon, thrown, type NativeHandle } from './helpers/native.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('mmcdb-native-classic-');
const TINYCDB = '/usr/bin/cdb';
const haveTinycdb =
  fs.existsSync(TINYCDB) && /Constant DataBase/.test(spawnSync(TINYCDB, ['-h'], { encoding: 'utf8' }).stdout ?? '');
if (!haveTinycdb) console.warn('[native/classic] /usr/bin/cdb (tinycdb) not found: using only the test-only classic writer');

let n = 0;
function write(bytes: Uint8Array): string {
  const file = path.join(dir, `c${n++}.cdb`);
  fs.writeFileSync(file, bytes);
  return file;
}

function get(h: NativeHandle, key: string | Uint8Array): string | undefined {
  return h.get(key) ? native.viewOf(h, h.out[0]!, h.out[1]!).toString('latin1') : undefined;
}
function getAll(h: NativeHandle, key: string | Uint8Array): string[] {
  const count = h.getAll(key);
  return Array.from({ length: count }, (_, i) => native.viewOf(h, h.out[2 * i]!, h.out[2 * i + 1]!).toString('latin1'));
}

const records: Rec[] = [
  ['playwright', 'P'],
  ['snush', 'S'],
  ['one', '1'],
  ['dup', 'first'],
  ['', 'empty key'],
  ['novalue', ''],
  [Buffer.from([0, 1, 2, 255]), Buffer.from([7, 7])],
  ['dup', 'second'],
  ['ünï', 'utf8'],
  ['dup', 'third'],
];
for (let i = 0; i < 1000; i++) records.push([`k${i}`, `v${i}`.repeat(1 + (i % 5))]);

describe('native reader on classic cdb files', () => {
  it('"playwright" and "snush" collide in djb (the native hook agrees)', () => {
    expect(djb(Buffer.from('playwright'))).toBe(0x0ba9ad76);
    expect(djb(Buffer.from('snush'))).toBe(0x0ba9ad76);
    expect(testAddon.djb(Buffer.from('playwright'))).toBe(0x0ba9ad76);
  });

  it.runIf(haveTinycdb)('tinycdb `cdb -c` and the test writer give identical files', () => {
    const input = path.join(dir, 'input.txt');
    fs.writeFileSync(input, cdbmakeInput(records));
    const out = path.join(dir, 'tiny.cdb');
    const r = spawnSync(TINYCDB, ['-c', out, input], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(fs.readFileSync(out).equals(buildClassic(records))).toBe(true);
    const h = native.open(out);
    expect(get(h, 'playwright')).toBe('P');
    // tinycdb's own answer for a duplicate key, compared with ours.
    const q = spawnSync(TINYCDB, ['-q', '-m', out, 'dup'], { encoding: 'utf8' });
    expect(
      getAll(h, 'dup')
        .map((v) => `${v}\n`)
        .join(''),
    ).toBe(q.stdout);
  });

  it('lookups: collision pair, duplicates in order, empty key/value, binary keys, misses', () => {
    const h = native.open(write(buildClassic(records)));
    expect(h.format).toBe('classic');
    expect(get(h, 'playwright')).toBe('P');
    expect(get(h, 'snush')).toBe('S');
    expect(getAll(h, 'playwright')).toEqual(['P']);
    expect(get(h, 'dup')).toBe('first');
    expect(getAll(h, 'dup')).toEqual(['first', 'second', 'third']);
    expect(get(h, '')).toBe('empty key');
    expect(get(h, 'novalue')).toBe('');
    expect(h.get('novalue')).toBe(1);
    expect(get(h, Buffer.from([0, 1, 2, 255]))).toBe('\x07\x07');
    expect(get(h, 'ünï')).toBe('utf8');
    for (let i = 0; i < 1000; i++) expect(get(h, `k${i}`)).toBe(`v${i}`.repeat(1 + (i % 5)));
    for (const miss of ['k1000', 'playwrigh', 'snush2', 'DUP']) expect(h.get(miss)).toBe(0);
    expect(h.metadata()).toBeUndefined();
    expect(h.stats()).toMatchObject({ format: 'classic', segments: 1, externalBuffers: true });
  });

  it('iteration in file order ends at table 0', () => {
    const h = native.open(write(buildClassic(records)));
    const seen: string[] = [];
    for (let c = h.next(0); c !== -1; c = h.next(c)) seen.push(native.viewOf(h, h.out[0]!, h.out[1]!).toString('latin1'));
    expect(seen).toEqual(records.map(([k]) => Buffer.from(k).toString('latin1')));
  });

  it('the empty database (exactly 2048 bytes) is valid', () => {
    const empty = buildClassic([]);
    expect(empty.length).toBe(2048);
    const h = native.open(write(empty));
    expect(h.format).toBe('classic');
    expect(h.get('x')).toBe(0);
    expect(h.getAll('')).toBe(0);
    expect(h.next(0)).toBe(-1);
  });

  it('detection: a bad TOC is not a cdb file; a bad slot is corrupt', () => {
    const good = buildClassic(records);
    const short = thrown(() => native.open(write(good.subarray(0, 2047))));
    expect(short.code).toBe('ERR_CDB_FORMAT');
    expect(short.message).toContain('not an mmcdb or cdb file');
    const toc = Buffer.from(good);
    toc.writeUInt32LE(good.length, 8 * 5 + 4); // table 5: too many slots
    const e = thrown(() => native.open(write(toc)));
    expect(e.code).toBe('ERR_CDB_FORMAT');
    expect(e.offset).toBe(40);
    // Point every slot of the collision pair's table at a position past the records.
    const t = djb(Buffer.from('snush')) & 255;
    const bad = Buffer.from(good);
    const pos = bad.readUInt32LE(t * 8);
    const slots = bad.readUInt32LE(t * 8 + 4);
    for (let i = 0; i < slots; i++) if (bad.readUInt32LE(pos + i * 8 + 4) !== 0) bad.writeUInt32LE(0xfffffff0, pos + i * 8 + 4);
    const c = thrown(() => native.open(write(bad)).get('snush'));
    expect(c.code).toBe('ERR_CDB_CORRUPT');
    expect(c.message).toMatch(/offset \d+\)$/);
  });
});
