// Truncation under a live reader: another process truncates the mapped file in place.
// The reader (a child process, so a crash fails a test instead of killing the worker)
// must survive: native reads throw ERR_CDB_TRUNCATED, old views read zeros or the old
// bytes, getManyAsync / warm reject, and the process exits 0.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { availableAsyncIo, availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const child = fileURLToPath(new URL('./truncation-child.mjs', import.meta.url));
const KEYS = 3000;
const PAGE = 4096;
const hasMmap = availableBackends().includes('mmap');

async function makeDb(file: string, format: 'mmcdb' | 'classic'): Promise<{ size: number; indexAt: number }> {
  const records: [string, string][] = [];
  for (let i = 0; i < KEYS; i++) records.push([`key:${i}`, `value:${i}:`.padEnd(40 + (i % 200), 'v')]);
  await build(file, records, { format, fsync: false, ...(format === 'mmcdb' ? { metadata: { t: 1 } } : {}) });
  const bytes = fs.readFileSync(file);
  // mmcdb: index_offset (§Header 48); classic: position of table 0 (the end of the records).
  const indexAt = format === 'mmcdb' ? Number(bytes.readBigUInt64LE(48)) : bytes.readUInt32LE(0);
  return { size: bytes.length, indexAt };
}

interface Outcome {
  scenario: string;
  keys?: [string, number][];
  after?: Record<string, string>;
  views?: { zero: number; old: number; mixed: number; bad: number };
  async?: string;
  warm?: string;
  iterateFirst?: string;
  rawDamaged: boolean;
  rawStatsDamaged: boolean;
  rawGet: string;
}

/** Starts the child, truncates the file once it is ready, returns its report and exit. */
function run(
  file: string,
  size: number,
  scenario: string,
  asyncIo?: string,
): Promise<{ out: Outcome; code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = asyncIo === undefined ? process.env : { ...process.env, MMCDB_ASYNC_IO: asyncIo };
    const proc = spawn(process.execPath, [child, file, String(KEYS), scenario], { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    proc.stdout.on('data', (d) => {
      stdout += d;
      if (stdout.startsWith('ready\n') && !proc.stdin.writableEnded) {
        fs.truncateSync(file, size);
        proc.stdin.end('go\n');
      }
    });
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      const line = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .pop();
      resolve({ out: line ? (JSON.parse(line) as Outcome) : ({} as Outcome), code, signal, stderr });
    });
  });
}

const T = 'ERR_CDB_TRUNCATED';

describe.skipIf(!hasMmap).each(['mmcdb', 'classic'] as const)('truncation under a live reader (%s)', (format) => {
  // Page-aligned cuts fault on every lost page; a cut inside a page leaves the rest of
  // that page reading zeros (kernel semantics), which no fault reports.
  const cuts = (size: number, indexAt: number): [string, number, boolean][] => [
    ['to 0', 0, true],
    ['inside the header page', PAGE, true],
    ['inside the data', Math.floor(indexAt / 2 / PAGE) * PAGE, true],
    ['inside the index', Math.ceil((indexAt + (size - indexAt) / 2) / PAGE) * PAGE, true],
    ['inside the index, mid-page', Math.ceil((indexAt + (size - indexAt) / 3) / PAGE) * PAGE + 1000, false],
  ];

  it.each(['sync', 'async-first', 'views-first', 'iterate-first', 'warm-first'])(
    'scenario %s: survives every cut',
    async (scenario) => {
      for (const [name, , aligned] of cuts(1, 0)) {
        const file = path.join(dir, `${format}-${scenario}-${name.replace(/\W+/g, '_')}.db`);
        const { size, indexAt } = await makeDb(file, format);
        const cut = cuts(size, indexAt).find((c) => c[0] === name)![1];
        expect(cut).toBeLessThan(size);
        const { out, code, signal, stderr } = await run(file, cut, scenario);
        const where = `${format} ${scenario} cut ${name} (${cut} of ${size}): ${stderr}`;
        expect(signal, where).toBeNull();
        expect(code, where).toBe(0);
        // The file shrank: the addon says so (fstat on the kept descriptor).
        expect(out.rawDamaged, where).toBe(true);
        expect(out.rawStatsDamaged, where).toBe(true);
        expect(out.rawGet, where).toBe(T);
        if (out.keys) {
          // Lookups that read only pages still in the file answer correctly; the first one
          // that meets a lost page throws, and every one after it throws too.
          const first = out.keys.findIndex(([o]) => o === T);
          expect(first, `${where} ${JSON.stringify(out.keys)}`).toBeGreaterThanOrEqual(0);
          expect(out.keys.slice(first + 1), where).toEqual([]);
          for (const [o] of out.keys.slice(0, first))
            expect(aligned ? ['ok'] : ['ok', 'absent', 'wrong', 'ERR_CDB_CORRUPT'], where).toContain(o);
        }
        for (const [op, c] of Object.entries(out.after ?? {})) {
          // Views of values all lie before the index: a cut past the records leaves them
          // intact, so reading them damages nothing and lookups may still succeed.
          if (scenario === 'views-first' && cut >= indexAt) expect(['ok', T], `${where} ${op}`).toContain(c);
          else expect(c, `${where} ${op}`).toBe(T);
        }
        if (out.async !== undefined) expect(out.async, where).toBe(T);
        if (out.warm !== undefined) expect(out.warm, where).toBe(T);
        if (out.iterateFirst !== undefined) {
          // Iteration reads only the records: a cut past them leaves it intact.
          expect(cut >= indexAt ? ['ok', T] : [T], where).toContain(out.iterateFirst);
        }
        if (out.views) {
          expect(out.views.bad, where).toBe(0); // every byte: the old one or 0
          if (cut === 0) expect(out.views.old, where).toBe(0);
          if (cut >= indexAt) expect(out.views.zero + out.views.mixed, where).toBe(0);
          if (scenario === 'views-first' && cut < indexAt) expect(out.views.zero, where).toBeGreaterThan(0);
        }
        fs.rmSync(file);
      }
    },
  );
});

// getManyAsync first, on every async path of the mmap backend (docs/api.md §asyncIo; the
// default one ran above): each rejects with ERR_CDB_TRUNCATED and the process lives.
describe.each(availableAsyncIo())('truncation under getManyAsync on asyncIo %s', (asyncIo) => {
  it.each(['mmcdb', 'classic'] as const)('%s: every aligned cut', async (format) => {
    for (const name of ['to 0', 'inside the data', 'inside the index']) {
      const file = path.join(dir, `${format}-io-${asyncIo}-${name.replace(/\W+/g, '_')}.db`);
      const { size, indexAt } = await makeDb(file, format);
      const cut =
        name === 'to 0'
          ? 0
          : name === 'inside the data'
            ? Math.floor(indexAt / 2 / PAGE) * PAGE
            : Math.ceil((indexAt + (size - indexAt) / 2) / PAGE) * PAGE;
      const { out, code, signal, stderr } = await run(file, cut, 'async-first', asyncIo);
      const where = `${format} ${asyncIo} cut ${name} (${cut} of ${size}): ${stderr}`;
      expect(signal, where).toBeNull();
      expect(code, where).toBe(0);
      expect(out.async, where).toBe(T);
      expect(out.rawDamaged, where).toBe(true);
      fs.rmSync(file);
    }
  });
});

describe.skipIf(!hasMmap)('SIGBUS handler chaining', () => {
  it('a fault outside our mappings goes to the handler installed before ours', () => {
    const file = path.join(dir, 'one-page');
    fs.writeFileSync(file, Buffer.alloc(PAGE, 7));
    const r = spawnSync(process.execPath, [child, file, '0', 'chain'], { encoding: 'utf8' });
    expect(r.signal, r.stderr).toBeNull();
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ value: 0, previousCalls: 1, previousAddressOk: true });
  });

  it('with no handler before ours, a fault outside our mappings still kills the process with SIGBUS', () => {
    const file = path.join(dir, 'one-page-2');
    fs.writeFileSync(file, Buffer.alloc(PAGE, 7));
    const r = spawnSync(process.execPath, [child, file, '0', 'unchained'], { encoding: 'utf8' });
    expect(r.signal).toBe('SIGBUS');
    expect(r.stdout).toBe('');
  });
});
