// One process of bench/hot-path.mjs: every step of a get() in the native flavour that
// MMCDB_NATIVE_FLAVOR chose, ns per operation over the dataset's hit / miss key lists.
// argv[2]: { db, hits, misses, count, rounds }. Prints one JSON line.
// Each step is its own function (its own feedback and optimization), run `rounds` times
// after a warm-up pass; the median round counts. Every step that gets a value touches it
// (first byte + last byte + length), as bench/child.mjs does.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, openSync } from '@mmcdb/core';
import { loadNative, nativeAddon } from '@mmcdb/core/internal';
import { readKeyFile } from './dataset.mjs';

const spec = JSON.parse(process.argv[2]);
const addon = nativeAddon();
if (addon === undefined) {
  console.log(JSON.stringify({ unavailable: 'the native addon did not load' }));
  process.exit(0);
}
const flavor = addon.flavor ?? 'napi';
const hits = readKeyFile(spec.hits, spec.count);
const misses = readKeyFile(spec.misses, spec.count);

// A 16-record database: its index and records stay in L1/L2, so a miss there costs the
// call, the key's handover and hashing, and one in-cache probe — no memory latency.
const tinyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-hot-path-')), 'tiny.mmcdb');
await build(
  tinyFile,
  hits.slice(0, 16).map((k) => [k, 'v']),
  { fsync: false },
);

const h = addon.open(spec.db, { advice: 'random' });
const tiny = addon.open(tinyFile, { advice: 'random' });
const native = loadNative();
const engine = native.open(spec.db, 'random');
const reader = openSync(spec.db, { backend: 'mmap' });
const f = h.fast;
const tf = tiny.fast;

const steps = {
  loop(keys) {
    let s = 0;
    for (let i = 0; i < keys.length; i++) s += keys[i].length;
    return s;
  },
  // The cheapest native call there is: fast.closed() (V8 fast call) / recordCount()
  // (Node-API: one header field; the Node-API handle has no emptier method).
  call:
    f !== undefined
      ? (keys) => {
          let s = 0;
          for (let i = 0; i < keys.length; i++) s += f.closed() ? 0 : keys[i].length;
          return s;
        }
      : (keys) => {
          let s = 0;
          for (let i = 0; i < keys.length; i++) s += h.recordCount() > 0 ? keys[i].length : 0;
          return s;
        },
  tinyMiss:
    tf !== undefined
      ? (keys) => {
          let s = 0;
          for (let i = 0; i < keys.length; i++) s += tf.get(keys[i]);
          return s;
        }
      : (keys) => {
          let s = 0;
          for (let i = 0; i < keys.length; i++) s += tiny.get(keys[i]);
          return s;
        },
  lookup:
    f !== undefined
      ? (keys) => {
          let s = 0;
          for (let i = 0; i < keys.length; i++) s += f.get(keys[i]);
          return s;
        }
      : (keys) => {
          let s = 0;
          for (let i = 0; i < keys.length; i++) s += h.get(keys[i]);
          return s;
        },
  engineGet(keys) {
    let s = 0;
    for (let i = 0; i < keys.length; i++) {
      const v = engine.get(keys[i]);
      if (v !== undefined) s += v[0] + v[v.length - 1] + v.length;
    }
    return s;
  },
  readerGet(keys) {
    let s = 0;
    for (let i = 0; i < keys.length; i++) {
      const v = reader.get(keys[i]);
      if (v !== undefined) s += v[0] + v[v.length - 1] + v.length;
    }
    return s;
  },
  readerHas(keys) {
    let s = 0;
    for (let i = 0; i < keys.length; i++) if (reader.has(keys[i])) s++;
    return s;
  },
};
if ((f ?? h).get(hits[0]) !== 1) throw new Error('the first hit key is not found');

function measure(fn, keys) {
  fn(keys); // warm-up: feedback, optimization, caches
  const ns = [];
  let check;
  for (let r = 0; r < spec.rounds; r++) {
    const t0 = process.hrtime.bigint();
    check = fn(keys);
    ns.push(Number(process.hrtime.bigint() - t0) / keys.length);
  }
  ns.sort((a, b) => a - b);
  return { ns: ns[(ns.length - 1) >> 1], check };
}

const result = { flavor, flavorReason: addon.flavorReason, hits: {}, misses: {} };
for (const [kind, keys] of [
  ['misses', misses],
  ['hits', hits],
]) {
  for (const [name, fn] of Object.entries(steps)) {
    if (kind === 'hits' && name === 'tinyMiss') continue;
    result[kind][name] = measure(fn, keys);
  }
}
reader.close();
engine.close();
h.close();
tiny.close();
fs.rmSync(path.dirname(tinyFile), { recursive: true, force: true });
console.log(JSON.stringify(result));
