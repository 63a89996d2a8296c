// cdb stats: text and --json (golden, with --backend memory so it does not depend on the addon).
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { expectGolden, fixture, ok } from '../helpers.js';

const dir = tempDir('mmcdb-cli-stats-');
const small = path.join(dir, 'small.cdb');
const classic = path.join(dir, 'classic.cdb');

beforeAll(async () => {
  await ok(['build', small, fixture('small.cdbmake'), '--metadata', '{"fixture":"small"}']);
  await ok(['build', classic, fixture('small.cdbmake'), '--format', 'classic']);
});

describe('cdb stats', () => {
  it('--json: records, distinct keys, lengths, index, probe histogram, backend (golden)', async () => {
    const r = await ok(['stats', small, '--json', '--backend', 'memory']);
    expectGolden(r.stdout, 'small.stats.json');
    const s = JSON.parse(r.out);
    expect(s.records).toBe(9);
    expect(s.distinctKeys).toBe(8);
    expect(s.keyLength).toMatchObject({ min: 0, max: 14 });
    expect(s.index.probeHistogram).toHaveLength(11);
    expect(s.backend).toBe('memory');
    expect(s.metadata).toEqual({ fixture: 'small' });
  });

  it('text form names every number', async () => {
    const out = (await ok(['stats', small, '--backend', 'pread'])).out;
    for (const want of [
      'format:          mmcdb',
      'backend:         pread',
      'records:         9',
      'distinct keys:   8',
      'key length:      min 0 / avg',
      'load factor',
      'probe distances:',
      '  d0 ',
      '  >9 ',
      'seed:            0x6d6d636462763031',
      'metadata:        {"fixture":"small"}',
    ]) {
      expect(out).toContain(want);
    }
  });

  it('classic files too (golden --json, including the tinycdb numbers)', async () => {
    const r = await ok(['stats', classic, '--json', '--backend', 'memory']);
    expectGolden(r.stdout, 'small.classic.stats.json');
    expect(JSON.parse(r.out).format).toBe('classic');
    expect((await ok(['stats', classic])).out).toContain('non-empty tables');
  });

  it('reports the backend that openSync picked by default', async () => {
    const s = JSON.parse((await ok(['stats', small, '--json'])).out);
    expect(['mmap', 'memory', 'pread']).toContain(s.backend);
  });
});
