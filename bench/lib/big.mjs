// Open + first get on a 10 GiB file (10,240 values of 1 MiB), warm and cold, mmap and pread.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build } from '@mmcdb/core';
import { writeKeyFile } from './dataset.mjs';
import { median } from './stats.mjs';

const RECORDS = 10_240;
const VALUE = 1 << 20;

export async function bigFile({ dataDir, child, evict, log }) {
  const dir = path.join(dataDir, 'big-10g');
  const db = path.join(dir, 'db.mmcdb');
  const keys = path.join(dir, 'first.keys');
  const out = { records: RECORDS, valueSize: VALUE, file: db };
  const df = spawnSync('df', ['-B1', '--output=avail', dataDir], { encoding: 'utf8' });
  out.freeBytesBefore = Number(df.stdout.trim().split('\n').pop());
  if (!fs.existsSync(db)) {
    if (!(out.freeBytesBefore > 25 * 2 ** 30)) return { ...out, skipped: `only ${out.freeBytesBefore} bytes free (< 25 GiB)` };
    fs.mkdirSync(dir, { recursive: true });
    log('\n== big-10g: writing a 10 GiB file …');
    const t0 = performance.now();
    const script = `
      import { createWriter } from '@mmcdb/core';
      const w = createWriter(${JSON.stringify(db)}, { fsync: false });
      const v = Buffer.alloc(${VALUE}, 0x5a);
      for (let i = 0; i < ${RECORDS}; i++) { v[0] = i & 255; w.add('big-' + i, v); }
      await w.finish();`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.join(path.dirname(new URL(import.meta.url).pathname), '..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (r.status !== 0) return { ...out, error: r.stderr.slice(-500) };
    out.buildSeconds = (performance.now() - t0) / 1000;
  }
  writeKeyFile(keys, ['big-7777']);
  const tiny = path.join(dir, 'tiny.mmcdb');
  await build(tiny, [['big-7777', 'x']], { fsync: false });
  out.bytes = fs.statSync(db).size;
  out.results = {};
  // '-preloaded': another file was opened first in the same process (native addon already loaded).
  for (const backend of ['mmap', 'pread', 'memory']) {
    for (const cache of ['warm', 'cold', 'warm-preloaded', 'cold-preloaded']) {
      const key = `${backend}-${cache}`;
      const xs = [];
      let last;
      for (let r = 0; r < 5; r++) {
        if (cache.startsWith('cold')) last = evict(db);
        const pre = cache.endsWith('preloaded') ? { preloadDb: tiny } : {};
        const x = child({ module: 'mmcdb', variant: backend, task: 'cold', db, hits: keys, ...pre });
        if (x.unavailable || x.error) {
          // e.g. memory: the library refuses a file larger than one Buffer (ERR_CDB_BACKEND)
          const why = /ERR_CDB_BACKEND/.test(x.error ?? '')
            ? 'refused by openSync (ERR_CDB_BACKEND): larger than one Buffer can be (4 GiB on Node 20)'
            : undefined;
          out.results[key] = { unavailable: x.unavailable ?? why, error: why ? undefined : x.error };
          break;
        }
        xs.push(x);
      }
      if (!xs.length) {
        if (out.results[key].unavailable) break; // the same answer for every cache state
        continue;
      }
      out.results[key] = {
        openMs: median(xs.map((x) => x.openMs)),
        firstGetMs: median(xs.map((x) => x.firstGetMs)),
        openToFirstGetMs: median(xs.map((x) => x.openToFirstGetMs)),
        min: Math.min(...xs.map((x) => x.openToFirstGetMs)),
        max: Math.max(...xs.map((x) => x.openToFirstGetMs)),
        checksum: xs[0].hits.checksum,
        residentAfterEvict: last?.residentBytes,
      };
      log(`  big ${key}: open+first get ${out.results[key].openToFirstGetMs.toFixed(3)} ms`);
      if (backend === 'memory') break; // reading 10 GiB into one Buffer cannot work on Node 20 (2^32 limit)
    }
  }
  return out;
}
