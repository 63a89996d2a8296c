// `node --cpu-prof` of one mmcdb gets run on the anchor dataset: top self-time functions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ENGINES, MMCDB } from './config.mjs';

export function summarize(file, top = 12) {
  const p = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const n = byId.get(p.samples[i]);
    const dt = p.timeDeltas[i] ?? 0;
    total += dt;
    const cf = n.callFrame;
    const name = `${cf.functionName || '(anonymous)'} ${cf.url ? `${path.basename(cf.url)}:${cf.lineNumber + 1}` : ''}`.trim();
    self.set(name, (self.get(name) ?? 0) + dt);
  }
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, us]) => ({ name, ms: us / 1000, pct: (100 * us) / total }));
}

export function profile({ ds, dataDir, outDir, child, log }) {
  const out = {};
  const dir = path.join(outDir, 'profiles');
  fs.mkdirSync(dir, { recursive: true });
  for (const id of MMCDB) {
    const e = ENGINES[id];
    if (ds.unavailable[id] || ds.errors[id]) continue;
    const files = path.join(dataDir, ds.id);
    const profDir = fs.mkdtempSync(path.join(dir, `${id}-`));
    const spec = {
      module: e.module,
      variant: e.variant,
      task: 'gets',
      src: path.join(files, 'data.cdbmake'),
      db: path.join(files, 'db.mmcdb'),
      hits: path.join(files, 'hits.keys'),
      misses: path.join(files, 'misses.keys'),
      warmup: ds.warmup,
      scan: false,
    };
    const r = child(spec, { cpuProf: profDir });
    const f = fs.readdirSync(profDir).find((x) => x.endsWith('.cpuprofile'));
    if (!f || r.error) continue;
    out[id] = { top: summarize(path.join(profDir, f)), hitsPerSec: r.hits?.perSec };
    fs.rmSync(profDir, { recursive: true, force: true });
    log(`  profiled ${id}`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}
