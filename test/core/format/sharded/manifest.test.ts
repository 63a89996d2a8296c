// The set manifest codec (docs/SHARDS.md §Manifest): what it writes reads back, and every
// manifest that lies, is malformed or hostile is refused with a CdbError naming the field
// — before any large allocation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CdbError } from '@mmcdb/core';
import { readManifest, setManifest } from '@mmcdb/core/internal';
import { tempDir } from '../../../helpers/tmp.js';

const { encodeManifest, parseManifest, parseCurrent, shardFileName } = setManifest;
const dir = tempDir('mmcdb-manifest-');

function sample(n = 3): setManifest.SetManifest {
  const files = Array.from({ length: n }, (_, i) => ({
    file: shardFileName(i, n, 'mmcdb'),
    records: i + 1,
    bytes: 200 + i,
    checksum: BigInt(i) * 0x1234567n,
  }));
  return {
    set: '20261202T000000Z-0123abcd',
    seed: 0x6d6d636462736574n,
    shards: n,
    format: 'mmcdb',
    files,
    records: files.reduce((a, f) => a + f.records, 0),
    bytes: files.reduce((a, f) => a + f.bytes, 0),
    metadata: { name: 'users', v: 2 },
    createdAt: '2026-12-02T00:00:00.000Z',
  };
}

/** The sample as a JSON object, changed by `edit`. */
// biome-ignore lint/suspicious/noExplicitAny: the test edits arbitrary JSON
function edited(edit: (o: Record<string, any>) => void): string {
  const o = JSON.parse(encodeManifest(sample()));
  edit(o);
  return JSON.stringify(o);
}

function refused(text: string, code: string, message: RegExp): void {
  let err: unknown;
  try {
    parseManifest(text, '/sets/x/manifest.json');
  } catch (e) {
    err = e;
  }
  expect(err, message.source).toBeInstanceOf(CdbError);
  expect((err as CdbError).code).toBe(code);
  expect((err as CdbError).path).toBe('/sets/x/manifest.json');
  expect((err as CdbError).message).toMatch(message);
}

describe('set manifest', () => {
  it('reads back what it writes, one line per shard', () => {
    const m = sample(5);
    const text = encodeManifest(m);
    expect(parseManifest(text, 'm')).toEqual(m);
    expect(text.split('\n').filter((l) => l.includes('"file"'))).toHaveLength(5);
    const bare = { ...m, metadata: undefined };
    expect(parseManifest(encodeManifest(bare), 'm').metadata).toBeUndefined();
  });

  it('names shard files shard-<i>-of-<n> with the format extension', () => {
    expect(shardFileName(3, 8, 'mmcdb')).toBe('shard-00003-of-00008.mmcdb');
    expect(shardFileName(65535, 65536, 'classic')).toBe('shard-65535-of-65536.cdb');
  });

  it('refuses text that is not a manifest', () => {
    refused('{"mmcdbSet": 1', 'ERR_CDB_FORMAT', /not JSON/);
    refused('[]', 'ERR_CDB_FORMAT', /the manifest must be an object/);
    refused('{}', 'ERR_CDB_FORMAT', /mmcdbSet is missing/);
    refused(
      edited((o) => (o.mmcdbSet = 2)),
      'ERR_CDB_VERSION',
      /set format version 2 is not supported/,
    );
    refused(
      edited((o) => (o.mmcdbSet = '1')),
      'ERR_CDB_FORMAT',
      /mmcdbSet must be 1/,
    );
  });

  it('refuses shard counts out of range and shard lists that disagree', () => {
    for (const n of [0, 65537, 1.5, '3', -1, 1e300]) {
      refused(
        edited((o) => (o.partition.shards = n)),
        'ERR_CDB_FORMAT',
        /partition\.shards must be an integer from 1 to 65536/,
      );
    }
    refused(
      edited((o) => o.shards.pop()),
      'ERR_CDB_FORMAT',
      /shards lists 2 files; partition\.shards says 3/,
    );
    refused(
      edited((o) => (o.partition.hash = 'md5')),
      'ERR_CDB_FORMAT',
      /partition\.hash must be "xxh64"/,
    );
    refused(
      edited((o) => (o.partition.seed = '12')),
      'ERR_CDB_FORMAT',
      /partition\.seed must be "0x" and 16/,
    );
  });

  it('refuses file names that are not the shard’s own (no path can leave the folder)', () => {
    for (const file of ['../../etc/passwd', '/etc/passwd', 'shard-00001-of-00003.mmcdb', 'shard-00000-of-00003.cdb', 42]) {
      refused(
        edited((o) => (o.shards[0].file = file)),
        'ERR_CDB_FORMAT',
        /shards\[0\]\.file must be "shard-00000-of-00003\.mmcdb"/,
      );
    }
    refused(
      edited((o) => (o.set = '../x')),
      'ERR_CDB_FORMAT',
      /set must be 1–64 characters/,
    );
    refused(
      edited((o) => (o.set = 'x'.repeat(65))),
      'ERR_CDB_FORMAT',
      /set must be 1–64 characters/,
    );
  });

  it('refuses counts that lie, are huge, negative or not integers', () => {
    refused(
      edited((o) => (o.records = 7)),
      'ERR_CDB_FORMAT',
      /records is 7; the shards add up to 6/,
    );
    refused(
      edited((o) => (o.bytes += 1)),
      'ERR_CDB_FORMAT',
      /bytes is 604; the shards add up to 603/,
    );
    for (const v of [2 ** 60, -1, 0.5, '10', null, 1e300]) {
      refused(
        edited((o) => (o.shards[1].records = v)),
        'ERR_CDB_FORMAT',
        /shards\[1\]\.records must be an integer from 0 to 9007199254740991/,
      );
    }
    refused(
      edited((o) => {
        o.shards[0].bytes = Number.MAX_SAFE_INTEGER;
        o.shards[1].bytes = Number.MAX_SAFE_INTEGER;
      }),
      'ERR_CDB_FORMAT',
      /add up to more than 2\^53/,
    );
    refused(
      edited((o) => (o.shards[2].checksum = '0xZZ')),
      'ERR_CDB_FORMAT',
      /shards\[2\]\.checksum must be "0x" and 16/,
    );
    refused(
      edited((o) => delete o.shards[2].checksum),
      'ERR_CDB_FORMAT',
      /shards\[2\]\.checksum is missing/,
    );
    refused(
      edited((o) => (o.createdAt = 'yesterday')),
      'ERR_CDB_FORMAT',
      /createdAt must be an ISO 8601 date/,
    );
    refused(
      edited((o) => (o.format = 'sqlite')),
      'ERR_CDB_FORMAT',
      /format must be "mmcdb" or "classic"/,
    );
  });

  it('refuses a huge manifest file before reading it', () => {
    const file = path.join(dir, 'manifest.json');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, setManifest.MAX_MANIFEST_BYTES + 1); // sparse: nothing is allocated
    expect(() => readManifest(file)).toThrow(/33554433 bytes, the limit is 33554432/);
  });

  it('CURRENT must name a version folder inside the set folder', () => {
    expect(parseCurrent('v20261202T000000Z-0123abcd\n', 'C')).toBe('v20261202T000000Z-0123abcd');
    for (const bad of ['', '\n', '../v1', 'v../../etc', 'x1', 'v/abs', `v${'a'.repeat(70)}`]) {
      expect(() => parseCurrent(bad, '/s/CURRENT'), JSON.stringify(bad)).toThrow(/CURRENT must name a version folder/);
    }
  });
});
