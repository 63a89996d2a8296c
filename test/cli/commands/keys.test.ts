// cdb keys: --json (one JSON string per line, {"base64": …} for keys that are not UTF-8).
// The plain and --cdbmake forms are checked in dump.test.ts (cdb keys).
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { cdb, cdbmake, ok } from '../helpers.js';

const dir = tempDir('mmcdb-cli-keys-');
const db = path.join(dir, 'keys.mmcdb');
const BIN_KEY = Buffer.from([0x00, 0xff, 0x0a]);

beforeAll(async () => {
  await ok(['build', db, '-q'], {
    input: cdbmake([
      ['a', '1'],
      ['line\nbreak', '2'],
      [BIN_KEY, '3'],
      ['a', '4'],
      ['', 'empty key'],
      ['ü', '5'],
    ]),
  });
});

describe('cdb keys --json', () => {
  it('one JSON value per line, in file order (duplicates too); bytes that are not UTF-8 as {"base64": …}', async () => {
    const r = await ok(['keys', db, '--json']);
    expect(r.out).toBe(`"a"\n"line\\nbreak"\n{"base64":"${BIN_KEY.toString('base64')}"}\n"a"\n""\n"ü"\n`);
    const parsed = r.out
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(parsed).toHaveLength(6);
  });

  it('--json with --cdbmake is a usage error', async () => {
    expect((await cdb(['keys', db, '--json', '--cdbmake'])).status).toBe(2);
  });
});
