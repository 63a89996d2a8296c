// One full-scan contender in its own process (bench/scans.mjs). Prints one JSON line:
// { n, checksum, seconds: [one per timed pass] }. One untimed pass first (page cache, JIT).
// Every record is touched as bench/c/tinycdb-seq.c touches it: checksum += key[0] +
// value[last] + key length + value length (0 for an empty key or value); keys() touches
// keys only (its checksum is key[0] + key length).
import { openSync } from '@mmcdb/core';
import { NativeEngine, nativeAddon } from '@mmcdb/core/internal';
import { readCdbmake } from './lib/cdbmake.mjs';

const spec = JSON.parse(process.argv[2]);

function mapScan(m) {
  let sum = 0;
  let n = 0;
  for (const [k, v] of m) {
    const kl = k.length;
    const vl = v.length;
    sum += (kl ? k.charCodeAt(0) : 0) + (vl ? v[vl - 1] : 0) + kl + vl;
    n++;
  }
  return { n, sum };
}

const SCANS = {
  entries(db) {
    let sum = 0;
    let n = 0;
    for (const [k, v] of db.entries()) {
      const kl = k.length;
      const vl = v.length;
      sum += (kl ? k[0] : 0) + (vl ? v[vl - 1] : 0) + kl + vl;
      n++;
    }
    return { n, sum };
  },
  forEach(db) {
    let sum = 0;
    const n = db.forEach((k, v) => {
      const kl = k.length;
      const vl = v.length;
      sum += (kl ? k[0] : 0) + (vl ? v[vl - 1] : 0) + kl + vl;
    });
    return { n, sum };
  },
  forEachRaw(db) {
    let sum = 0;
    const n = db.forEachRaw((b, ks, ke, vs, ve) => {
      sum += (ke > ks ? b[ks] : 0) + (ve > vs ? b[ve - 1] : 0) + (ke - ks) + (ve - vs);
    });
    return { n, sum };
  },
  keys(db) {
    let sum = 0;
    let n = 0;
    for (const k of db.keys()) {
      sum += (k.length ? k[0] : 0) + k.length;
      n++;
    }
    return { n, sum };
  },
};

let scan;
let close = () => {};
if (spec.contender === 'next') {
  // entries() as it was before handle.scan(): one next() call per record — the engine's
  // own fallback for an addon without scan(), reached by hiding scan() from it.
  const h = nativeAddon().open(spec.db, {});
  const engine = new NativeEngine({ ...h, scan: undefined }, 'normal', spec.db);
  scan = SCANS.entries.bind(null, engine);
  close = () => engine.close();
} else if (spec.contender === 'map') {
  // The in-memory ceiling: a Map of latin1 string keys → Buffer values (bench/engines/map.mjs).
  const m = new Map();
  for (const [k, v] of readCdbmake(spec.src, { reuse: true })) {
    const key = k.latin1Slice();
    if (!m.has(key)) m.set(key, Buffer.from(v));
  }
  scan = () => mapScan(m);
} else {
  const db = openSync(spec.db, { backend: spec.backend ?? 'mmap' });
  if (db.backend !== (spec.backend ?? 'mmap')) throw new Error(`backend ${db.backend}: ${db.fallbackReason}`);
  scan = SCANS[spec.contender].bind(null, db);
  close = () => db.close();
}
const first = scan();
const seconds = [];
for (let i = 0; i < spec.passes; i++) {
  const t0 = performance.now();
  const r = scan();
  seconds.push((performance.now() - t0) / 1000);
  if (r.sum !== first.sum || r.n !== first.n) throw new Error(`pass ${i} disagrees`);
}
close();
process.stdout.write(`${JSON.stringify({ n: first.n, checksum: first.sum, seconds })}\n`);
