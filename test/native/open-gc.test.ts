// Open without a GC (docs/RELIABILITY.md §Open without a GC): in a process that holds a
// heap of live objects, openSync + the first get of a 160 MiB file must not make V8 collect
// garbage — before the fix, V8 counted the mapping as external memory and collected right
// there (0.8–5 s with a 600 MB–1 GiB heap; the collections are forced whatever the heap's
// size, so the default suite holds 64 MB and test:long 600 MB: open-gc.long.test.ts). Each
// case runs in a fresh child; GCs are PerformanceObserver 'gc' entries (no timing is
// asserted: bench/open-gc.mjs measures it).
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { FLAVOURS, runOpenGc, writeBigFile } from './helpers/open-gc.js';

const MiB = 2 ** 20;
const dir = tempDir('mmcdb-open-gc-');
const file = path.join(dir, 'big.mmcdb');

beforeAll(() => writeBigFile(file, 160));

describe('openSync + first get of a 160 MiB file beside a 64 MB heap', () => {
  it.each(FLAVOURS)('$name: no garbage collection, nothing near the file size added to external memory', ({ env }) => {
    const r = runOpenGc(file, 64, env, ['big-80']);
    expect(r.backend).toBe('mmap');
    expect(r.live).toBeGreaterThan(100); // the heap was really held
    const [c] = r.cases;
    expect(c!.value).toEqual([MiB, 80, 80]);
    expect(c!.gcs).toEqual([]);
    expect(c!.externalGrowth).toBeLessThan(64 * MiB);
  });

  it.each(FLAVOURS)('$name: the same when the value lies in a window made on first use (32 MiB every 16 MiB)', ({ env }) => {
    const [c] = runOpenGc(file, 64, env, [`big-150:${32 * MiB}:${16 * MiB}`]).cases;
    expect(c!.value).toEqual([MiB, 150, 150]);
    expect(c!.gcs).toEqual([]);
  });
});
