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

function roundTrip(original: string, dumpFormat: 'cdbmake' | 'jsonl', buildArgs: string[] = []): string {
  const dump = ok(['dump', original, '--format', dumpFormat]).stdout;
  const copy = next();
  ok(['build', copy, '--input-format', dumpFormat, ...buildArgs], { input: dump });
  return copy;
}

describe('dump | build is byte-identical', () => {
  it.each(INPUTS)('%s via cdbmake and via jsonl', (input, args) => {
    const original = next();
    ok(['build', original, fixture(input), ...args]);
    expect(sha256(roundTrip(original, 'cdbmake'))).toBe(sha256(original));
    expect(sha256(roundTrip(original, 'jsonl'))).toBe(sha256(original));
  });

  it('random binary keys and values (not UTF-8), both dump formats', () => {
    const recs: [Buffer, Buffer][] = [];
    let x = 12345;
    const byte = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24);
    for (let i = 0; i < 500; i++) {
      recs.push([Buffer.from(Array.from({ length: 1 + (i % 9) }, byte)), Buffer.from(Array.from({ length: i % 37 }, byte))]);
    }
    recs.push([Buffer.from('dup'), Buffer.from('1')], [Buffer.from('dup'), Buffer.from('2')]);
    const original = next();
    ok(['build', original], { input: cdbmake(recs) });
    expect(sha256(roundTrip(original, 'cdbmake'))).toBe(sha256(original));
    expect(sha256(roundTrip(original, 'jsonl'))).toBe(sha256(original));
  });

  it('with non-default --seed, --align and --metadata when the rebuild passes them again', () => {
    const opts = ['--seed', '99', '--align', '16', '--metadata', '{"m":true}'];
    const original = next();
    ok(['build', original, fixture('small.cdbmake'), ...opts]);
    expect(sha256(roundTrip(original, 'cdbmake', opts))).toBe(sha256(original));
    expect(sha256(roundTrip(original, 'jsonl', opts))).toBe(sha256(original));
  });

  it('classic cdb files, with --format classic (and the same as tinycdb builds)', () => {
    const original = path.join(ROOT, 'fixtures/classic/small.tinycdb.cdb');
    expect(sha256(roundTrip(original, 'cdbmake', ['--format', 'classic']))).toBe(sha256(original));
    expect(sha256(roundTrip(original, 'jsonl', ['--format', 'classic']))).toBe(sha256(original));
  });

  it('--duplicates last leaves superseded records in the file: the copy has the same records, not the same bytes', () => {
    const original = next();
    ok(['build', original, '--duplicates', 'last'], { input: cdbmake([['k', '1'], ['x', 'y'], ['k', '2']]) });
    const copy = roundTrip(original, 'cdbmake');
    expect(ok(['dump', copy]).stdout.equals(ok(['dump', original]).stdout)).toBe(true);
    expect(sha256(copy)).not.toBe(sha256(original));
  });
});
