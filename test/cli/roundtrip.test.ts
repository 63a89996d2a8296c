// build → dump → build reproduces the database byte for byte, for every input format and
// both dump formats (docs/cli.md §dump lists the conditions).
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { cdbmake, fixture, ok, ROOT, sha256 } from './helpers.js';

const dir = tempDir('mmcdb-cli-roundtrip-');
let n = 0;
const next = () => path.join(dir, `r${n++}.cdb`);

const INPUTS: [string, string[]][] = [
  ['small.cdbmake', []],
  ['small.jsonl', []],
  ['small.json', []],
  ['small.csv', []],
  ['small.tsv', ['--value-column', 'name']],
  ['tree', ['--input-format', 'dir']],
  ['../countries.jsonl', []],
];

async function roundTrip(original: string, dumpFormat: 'cdbmake' | 'jsonl', buildArgs: string[] = []): Promise<string> {
  const dump = (await ok(['dump', original, '--format', dumpFormat])).stdout;
  const copy = next();
  await ok(['build', copy, '--input-format', dumpFormat, ...buildArgs], { input: dump });
  return copy;
}

describe('dump | build is byte-identical', () => {
  it.each(INPUTS)('%s via cdbmake and via jsonl', async (input, args) => {
    const original = next();
    await ok(['build', original, fixture(input), ...args]);
    expect(sha256(await roundTrip(original, 'cdbmake'))).toBe(sha256(original));
    expect(sha256(await roundTrip(original, 'jsonl'))).toBe(sha256(original));
  });

  it('random binary keys and values (not UTF-8), both dump formats', async () => {
    const recs: [Buffer, Buffer][] = [];
    let x = 12345;
    const byte = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 500; i++) {
      recs.push([Buffer.from(Array.from({ length: 1 + (i % 9) }, byte)), Buffer.from(Array.from({ length: i % 37 }, byte))]);
    }
    recs.push([Buffer.from('dup'), Buffer.from('1')], [Buffer.from('dup'), Buffer.from('2')]);
    const original = next();
    await ok(['build', original], { input: cdbmake(recs) });
    expect(sha256(await roundTrip(original, 'cdbmake'))).toBe(sha256(original));
    expect(sha256(await roundTrip(original, 'jsonl'))).toBe(sha256(original));
  });

  it('with non-default --seed, --align and --metadata when the rebuild passes them again', async () => {
    const opts = ['--seed', '99', '--align', '16', '--metadata', '{"m":true}'];
    const original = next();
    await ok(['build', original, fixture('small.cdbmake'), ...opts]);
    expect(sha256(await roundTrip(original, 'cdbmake', opts))).toBe(sha256(original));
    expect(sha256(await roundTrip(original, 'jsonl', opts))).toBe(sha256(original));
  });

  it('classic cdb files, with --format classic (and the same as tinycdb builds)', async () => {
    const original = path.join(ROOT, 'fixtures/classic/small.tinycdb.cdb');
    expect(sha256(await roundTrip(original, 'cdbmake', ['--format', 'classic']))).toBe(sha256(original));
    expect(sha256(await roundTrip(original, 'jsonl', ['--format', 'classic']))).toBe(sha256(original));
  });

  it('--duplicates last leaves superseded records in the file: the copy has the same records, not the same bytes', async () => {
    const original = next();
    await ok(['build', original, '--duplicates', 'last'], {
      input: cdbmake([
        ['k', '1'],
        ['x', 'y'],
        ['k', '2'],
      ]),
    });
    const copy = await roundTrip(original, 'cdbmake');
    expect((await ok(['dump', copy])).stdout.equals((await ok(['dump', original])).stdout)).toBe(true);
    expect(sha256(copy)).not.toBe(sha256(original));
  });
});
