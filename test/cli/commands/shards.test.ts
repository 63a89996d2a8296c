// cdb build --shards / --shard, cdb shards commit|gc|list, and get, dump, keys, stats and
// verify on a sharded set (docs/cli.md §Sharded sets).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { cdb, expectOneLineError, fixture, ok } from '../helpers.js';

const dir = tempDir('mmcdb-cli-shards-');
let seq = 0;
const fresh = () => path.join(dir, `set-${seq++}.d`);
const countries = path.join(fixture('..'), 'countries.jsonl');

describe('cdb build --shards', () => {
  it('builds a set that get, dump, keys, stats and verify read like one database', async () => {
    const set = fresh();
    const r = await ok(['build', '--shards', '4', '--workers', '2', set, countries, '--metadata', '{"v":1}']);
    expect(r.stderr).toMatch(
      new RegExp(`^cdb build: wrote ${set}: version v\\S+, 4 shards, 249 records, \\d+ bytes, [\\d.]+ s \\(mmcdb\\)\\n$`),
    );
    const single = path.join(dir, `single-${seq++}.mmcdb`);
    await ok(['build', single, countries]);
    expect((await ok(['get', set, 'FR'])).out).toBe((await ok(['get', single, 'FR'])).out);
    expect((await cdb(['get', set, 'XX'])).status).toBe(100);
    const sorted = (s: string) => s.split('\n').sort().join('\n');
    expect(sorted((await ok(['dump', set])).out)).toBe(sorted((await ok(['dump', single])).out));
    expect(sorted((await ok(['keys', set])).out)).toBe(sorted((await ok(['keys', single])).out));
    expect((await ok(['verify', set])).out).toMatch(new RegExp(`^${set}: ok \\(mmcdb, 249 records, \\d+ bytes\\)\\n$`));
    const stats = JSON.parse((await ok(['stats', set, '--json'])).out);
    expect(stats).toMatchObject({ records: 249, distinctKeys: 249, set: { shards: 4 }, metadata: { v: 1 } });
    expect((await ok(['stats', set])).out).toMatch(/^set: +4 shards, version v\S+ \(partition seed 0x6d6d636462736574\)$/m);
  });

  it('a damaged set: verify exits 111 with ERR_CDB_SHARD; get names the missing shard', async () => {
    const set = fresh();
    await ok(['build', '--shards', '3', set, countries, '-q']);
    const live = fs.readFileSync(path.join(set, 'CURRENT'), 'utf8').trim();
    fs.rmSync(path.join(set, live, 'shard-00001-of-00003.mmcdb'));
    expectOneLineError(await cdb(['verify', set]), 'ERR_CDB_SHARD', 'shard 1 of 3 is missing');
    expectOneLineError(await cdb(['get', set, 'FR']), 'shard 1 of 3 is missing', 'ERR_CDB_SHARD');
  });

  it('usage errors exit 2', async () => {
    const set = fresh();
    for (const args of [
      ['build', '--shards', '0', set, countries],
      ['build', '--shards', '70000', set, countries],
      ['build', '--shard', '3/3', '--shards-seed', '1', set, countries],
      ['build', '--shard', '1/4', set, countries],
      ['build', '--shard', '1/4', '--shards', '5', '--shards-seed', '1', set, countries],
      ['build', '--shards', '2', '--assets', set, countries],
    ]) {
      const r = await cdb(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    }
    expect(fs.existsSync(set)).toBe(false);
  });

  it('a folder that is not a set is still refused as a directory', async () => {
    const plain = path.join(dir, `plain-${seq++}`);
    fs.mkdirSync(plain);
    expectOneLineError(await cdb(['get', plain, 'x']), 'is a directory (EISDIR), and not a sharded set');
  });
});

describe('cdb build --shard i/N and cdb shards', () => {
  it('tasks build their shards, commit makes the version live, list and gc manage versions', async () => {
    const set = fresh();
    await ok(['build', '--shards', '2', set, countries, '-q']);
    for (let i = 0; i < 3; i++) {
      const r = await ok(['build', '--shard', `${i}/3`, '--shards-seed', '77', set, countries]);
      expect(r.stderr).toContain(`wrote shard ${i} of 3 of set s000000000000004d-n3 in ${set}`);
      expect(r.stderr).toContain(`cdb shards commit ${set}`);
    }
    let list = (await ok(['shards', 'list', set])).out;
    expect(list).toMatch(/^\* v\S+ +2 shards, 249 records/m);
    expect(list).toMatch(/^ {2}vs000000000000004d-n3 +incomplete/m);
    const c = await ok(['shards', 'commit', set]);
    expect(c.stderr).toMatch(/version vs000000000000004d-n3 live: 3 shards, 249 records, \d+ bytes/);
    expect((await ok(['get', set, 'JP'])).out).toContain('Tokyo');
    list = (await ok(['shards', 'list', set])).out;
    expect(list).toMatch(/^\* vs000000000000004d-n3 +3 shards/m);
    const gc = await ok(['shards', 'gc', set, '--keep', '1']);
    expect(gc.out).toMatch(/^removed v\S+\nkept vs000000000000004d-n3: live \(CURRENT\)\n$/);
    expect(JSON.parse((await ok(['shards', 'list', set, '--json'])).out)).toHaveLength(1);
  });

  it('commit errors: nothing to commit, a missing shard', async () => {
    const set = fresh();
    await ok(['build', '--shards', '2', set, countries, '-q']);
    expectOneLineError(await cdb(['shards', 'commit', set]), 'no version to commit', 'ERR_CDB_SHARD');
    await ok(['build', '--shard', '0/2', '--shards-seed', '5', set, countries, '-q']);
    expectOneLineError(await cdb(['shards', 'commit', set]), 'missing shard file shard-00001-of-00002.mmcdb');
  });
});
