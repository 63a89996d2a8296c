// Open without a GC at the size (test:long): a 600 MiB file opened beside 600 MB
// of live objects — before the fix, 0.8–5 s of forced collections (open-gc.test.ts runs
// the same with 160 MiB and 64 MB in the default suite).
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { FLAVOURS, runOpenGc, writeBigFile } from './helpers/open-gc.js';

const MiB = 2 ** 20;
const dir = tempDir('mmcdb-open-gc-long-');
const file = path.join(dir, 'big.mmcdb');

beforeAll(() => writeBigFile(file, 600));

describe('openSync + first get of a 600 MiB file beside a 600 MB heap', () => {
  it.each(FLAVOURS)('$name: no garbage collection', ({ env }) => {
    const r = runOpenGc(file, 600, env, ['big-555']);
    expect(r.live).toBeGreaterThan(1000);
    expect(r.cases[0]!.value).toEqual([MiB, 555 % 251, 555 % 251]);
    expect(r.cases[0]!.gcs).toEqual([]);
  });
});
