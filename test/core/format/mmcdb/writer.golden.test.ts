// Byte-exact output: the same records and options always give the same file.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { tempDir } from '../../../helpers/tmp.js';

const dir = tempDir();
const records = JSON.parse(fs.readFileSync(new URL('../../../../fixtures/golden/records.json', import.meta.url), 'utf8')) as [
  string,
  string,
][];
const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('writer golden files', () => {
  it('default options', async () => {
    const file = path.join(dir, 'default.mmcdb');
    await build(file, records);
    expect(sha256(file)).toBe('677c72da0f29579291e89f44f5bbf719f4da8014c1f7e3caf31097e3d537119c');
  });

  it('valueAlign 8 + metadata + duplicates last', async () => {
    const file = path.join(dir, 'options.mmcdb');
    await build(file, records, { valueAlign: 8, metadata: { fixture: 'golden' }, duplicates: 'last' });
    expect(sha256(file)).toBe('0fa1a886ce6416307ae6e74e53fa12a6ff29816874546fff0522bb39d861dac7');
  });

  it('the worked example of docs/FORMAT.md', async () => {
    const file = path.join(dir, 'example.mmcdb');
    await build(file, [
      ['a', 'xyz'],
      ['bc', ''],
    ]);
    expect(fs.readFileSync(file).toString('hex')).toBe(
      '894d4d4344420d0a010080000000000002000000000000003130766264636d6d80000000000000009e00000000000000c00000000000000004000000010000000400000000000000000100000000000000000000000000000001000000000000043366f0eb9afeaa00000000000000000000000000000000c87e7d91a0b061310100000003000000000000006178797a02000000000000000000000062630000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000d54d61059c0e257b9000000000000000540651cc308cb283800000000000000000000000000000000000000000000000',
    );
  });

  it('the empty database of docs/FORMAT.md', async () => {
    const file = path.join(dir, 'empty.mmcdb');
    await build(file, []);
    expect(fs.readFileSync(file).toString('hex')).toBe(
      '894d4d4344420d0a010080000000000000000000000000003130766264636d6d' +
        '8000000000000000800000000000000080000000000000000000000001000000' +
        '0000000000000000800000000000000000000000000000008000000000000000' +
        '99e9d85137db46ef00000000000000000000000000000000c2f6d5694a9a404c',
    );
  });

  it('is deterministic across builds and a random seed changes the bytes', async () => {
    const a = path.join(dir, 'a.mmcdb');
    const b = path.join(dir, 'b.mmcdb');
    const c = path.join(dir, 'c.mmcdb');
    await build(a, records);
    await build(b, records);
    await build(c, records, { seed: 'random' });
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(c)).not.toBe(sha256(a));
  });
});
