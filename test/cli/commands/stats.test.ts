// cdb stats: text and --json (golden, with --backend memory so it does not depend on the addon).
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { cdb, expectGolden, fixture, ok } from '../helpers.js';
import { availableBackends } from '../../helpers/backends.js';

const nativeLoaded = availableBackends().includes('mmap');

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

  it.runIf(nativeLoaded)('--memory: the mapped file, its address space and page-cache bytes (text and --json)', async () => {
    const text = (await ok(['stats', small, '--memory'])).out;
    expect(text).toContain('memory:          1 file mapped by the native reader');
    expect(text).toMatch(/mapped: +[\d.]+ [KM]iB of address space/);
    expect(text).toMatch(/resident: +[\d.]+ [KM]iB \(\d+ % of [\d.]+ [KM]iB\) in the page cache/);
    expect(text).toContain('add mappings() to your metrics');
    const s = JSON.parse((await ok(['stats', small, '--memory', '--json'])).out);
    expect(s.memory.files).toHaveLength(1);
    expect(s.memory.files[0].readers).toBe(1);
    expect(s.memory.fileBytes).toBe(s.fileSize);
    expect(s.memory.mappedBytes).toBeGreaterThan(s.fileSize);
    expect(s.memory.process.rss).toBeGreaterThan(0);
  });

  it('--memory with a pure-TypeScript backend says nothing is mapped; with --tinycdb or a URL it is a usage error', async () => {
    expect((await ok(['stats', small, '--memory', '--backend', 'pread'])).out).toContain('nothing mapped (backend pread');
    expect((await cdb(['stats', classic, '--memory', '--tinycdb'])).status).toBe(2);
    expect((await cdb(['stats', 'http://127.0.0.1:9/x.cdb', '--memory'])).status).toBe(2);
  });
});
