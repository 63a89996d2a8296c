// Datasets of the cold-I/O benchmark (bench/cold-io.mjs). The full run reuses the main
// benchmark's definitions (lib/config.mjs), so bench/data/<id> built by bench/run.mjs is
// reused as is, and the other way round; --quick uses tiny ones under its --out folder.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { plan } from './config.mjs';
import { createWriter } from '@mmcdb/core';
import { ensureDataset } from './dataset.mjs';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const CHILD = path.join(HERE, '..', 'child.mjs');
const SEED = 0x6d6d6364;

/**
 * Per dataset: how many keys a cold run looks up (`cold`), a warm run (`warm`, 0 = no warm
 * runs), the single big call (`one`, 0 = none), and the getManyAsync batch size.
 */
export function coldIoDatasets(quick) {
  if (quick) {
    const q = (id, records, valueSize, lookups, o) => ({ id, records, valueSize, seed: SEED, lookups, warmup: 0, ...o });
    return [
      q('q-20k-100b', 20_000, 100, 5_000, { cold: 2_000, warm: 5_000, one: 2_000, batch: 64 }),
      q('q-256-16k', 256, 16_384, 2_000, { cold: 100, warm: 0, one: 0, batch: 16 }),
      q('q-16-1m', 16, 1 << 20, 200, { cold: 16, warm: 0, one: 0, batch: 4 }),
    ];
  }
  const full = plan(false).datasets;
  const pick = (id, o) => ({ ...full.find((d) => d.id === id), ...o });
  return [
    pick('10m-100b', { cold: 30_000, warm: 500_000, one: 20_000, batch: 64 }),
    pick('64k-16k', { cold: 3_000, warm: 0, one: 0, batch: 16 }),
    pick('1k-1m', { cold: 150, warm: 0, one: 0, batch: 4 }),
  ];
}

/** The dataset's files plus db.mmcdb, generated and built only when missing. */
export function ensureColdIoDataset(dataDir, ds, log) {
  const files = ensureDataset(path.join(dataDir, ds.id), ds, log);
  const db = path.join(files.dir, 'db.mmcdb');
  if (!fs.existsSync(db)) {
    log(`  build db.mmcdb for ${ds.id} …`);
    const spec = { module: 'mmcdb', task: 'build', src: files.cdbmake, db };
    const r = spawnSync(process.execPath, ['--max-old-space-size=8192', CHILD, JSON.stringify(spec)], {
      encoding: 'utf8',
      maxBuffer: 16 << 20,
    });
    if (r.status !== 0) throw new Error(`build ${ds.id}: exit ${r.status}: ${(r.stderr ?? '').slice(-500)}`);
  }
  return { ...files, db };
}

/** A one-record database: the child opens it to learn which open options this build knows. */
export async function probeDatabase(dataDir) {
  const file = path.join(dataDir, 'cold-io-probe.mmcdb');
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(dataDir, { recursive: true });
  const w = createWriter(file);
  w.add('probe', 'probe');
  await w.finish();
  return file;
}

/** Writes back the file's dirty pages (a fresh build), which eviction could not drop yet. */
export function flushFile(file) {
  const fd = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
