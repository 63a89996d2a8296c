// Crafted files that made readers do far more work than the file's size: analyze() on
// an mmcdb file whose slots all claim one hash (quadratic: 32k keys took 17 s), and
// Reader.size / analyze() / verify() on a classic file whose 256 tables all cover the
// same bytes (256 × the file). Both are now O(file): the work is counted, not timed —
// reads of the source for the classic file, and analyze() of the crafted mmcdb file
// against analyze() of an honest file of the same size in the same run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, build, openSync, verify } from '@mmcdb/core';
import { MemorySource, openClassicEngine, testHooks } from '@mmcdb/core/internal';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('mmcdb-hostile-');

describe('crafted files cost O(file)', () => {
  it('analyze() of 32k keys that all claim hash 0 costs about what an honest file costs', async () => {
    const records = Array.from({ length: 32_768 }, (_, i) => [`key-${i}`, 'v'] as [string, string]);
    const honest = path.join(dir, 'honest.mmcdb');
    const crafted = path.join(dir, 'crafted.mmcdb');
    await build(honest, records);
    testHooks.keyHash = () => 0n;
    try {
      await build(crafted, records, { maxProbeWarning: Number.MAX_SAFE_INTEGER });
    } finally {
      testHooks.keyHash = undefined;
    }
    const time = async (file: string) => {
      const t0 = performance.now();
      const s = await analyze(file);
      return { ms: performance.now() - t0, s };
    };
    await time(honest); // warm up
    const a = await time(honest);
    const b = await time(crafted);
    expect(b.s.distinctKeys).toBe(32_768);
    expect(b.s.index.maxProbe).toBe(32_767);
    // Quadratic was ~1000× here; linear stays within a small factor (generous for noise).
    expect(b.ms).toBeLessThan(20 * a.ms + 500);
  });

  it('a classic file whose 256 tables overlap: size reads each slot once; analyze and verify refuse it', async () => {
    const size = 4 << 20;
    const bytes = Buffer.alloc(size);
    const slots = (size - 2048) / 8;
    for (let t = 0; t < 256; t++) {
      bytes.writeUInt32LE(2048, t * 8);
      bytes.writeUInt32LE(slots, t * 8 + 4);
    }
    let loads = 0;
    const src = new MemorySource(bytes);
    const counting = Object.assign(Object.create(src) as MemorySource, {
      load: (pos: number, len: number) => {
        loads++;
        return src.load(pos);
      },
    });
    const engine = openClassicEngine(counting, 'memory', 'crafted');
    expect(engine.size).toBe(0);
    expect(loads).toBeLessThanOrEqual(slots + 16);
    const file = path.join(dir, 'overlap.cdb');
    fs.writeFileSync(file, bytes);
    await expect(analyze(file)).rejects.toMatchObject({ code: 'ERR_CDB_CORRUPT', message: expect.stringMatching(/overlap/) });
    const report = await verify(file);
    expect(report.error?.message).toMatch(/overlap/);
    for (const backend of ['memory', 'pread'] as const) expect(openSync(file, { backend }).size).toBe(0);
  });
});
