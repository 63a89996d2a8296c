// One task of bench/shards.mjs, in its own process. Prints one JSON line on stdout.
// spec: { task: 'build-file'|'build-set'|'gets', src, out, shards, workers, db, hits, warmup, count, batch }
import * as fs from 'node:fs';
import { createShardedWriter, createWriter, openSync } from '@mmcdb/core';
import { readKeyFile } from './lib/dataset.mjs';

const spec = JSON.parse(process.argv[2]);
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

/** The cdbmake file into `w` in 8 MiB reads (what `cdb build` and bench/engines/mmcdb.mjs do). */
async function feed(w, src) {
  const fd = fs.openSync(src, 'r');
  let buf = Buffer.allocUnsafe(8 << 20);
  let have = 0;
  try {
    for (;;) {
      if (have === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]);
      const n = fs.readSync(fd, buf, have, buf.length - have, null);
      have += n;
      const took = w.addCdbmake(buf.subarray(0, have));
      buf.copy(buf, 0, took.consumed, have);
      have -= took.consumed;
      if (n === 0) break;
      await w.ready?.();
    }
  } finally {
    fs.closeSync(fd);
  }
  if (have !== 1 || buf[0] !== 0x0a) throw new Error(`${have} unparsed bytes at the end of ${src}`);
}

if (spec.task === 'build-file' || spec.task === 'build-set') {
  fs.rmSync(spec.out, { recursive: true, force: true });
  const t0 = performance.now();
  // fsync off, as in bench/engines/mmcdb.mjs (cdb -c does none either).
  const w =
    spec.task === 'build-file'
      ? createWriter(spec.out, { fsync: false })
      : createShardedWriter(spec.out, { shards: spec.shards, workers: spec.workers, fsync: false });
  try {
    await feed(w, spec.src);
    const r = await w.finish();
    out({ records: r.records, bytes: r.bytes, seconds: (performance.now() - t0) / 1000 });
  } catch (err) {
    await w.abort(err);
    throw err;
  }
} else if (spec.task === 'gets') {
  const keys = readKeyFile(spec.hits, spec.count);
  const db = openSync(spec.db, { backend: 'mmap' });
  await db.warm({ what: 'all' }); // warm page cache: every page of the file (or of every shard) read in first
  const touch = (v, acc) => {
    if (v !== undefined) acc.sum += v[0] + v[v.length - 1] + v.length;
  };
  const result = { backend: db.backend };
  if (!spec.batch) {
    const acc = { sum: 0 };
    for (let i = 0; i < Math.min(spec.warmup, keys.length); i++) touch(db.get(keys[i]), acc);
    acc.sum = 0;
    const t0 = performance.now();
    for (let i = 0; i < keys.length; i++) touch(db.get(keys[i]), acc);
    const s = (performance.now() - t0) / 1000;
    Object.assign(result, { n: keys.length, seconds: s, perSec: keys.length / s, checksum: acc.sum });
  } else {
    const batches = [];
    for (let i = 0; i < keys.length; i += spec.batch) batches.push(keys.slice(i, i + spec.batch));
    const acc = { sum: 0 };
    for (const b of batches.slice(0, Math.ceil(spec.warmup / spec.batch))) for (const v of db.getMany(b)) touch(v, acc);
    acc.sum = 0;
    const t0 = performance.now();
    for (const b of batches) for (const v of db.getMany(b)) touch(v, acc);
    const s = (performance.now() - t0) / 1000;
    Object.assign(result, { n: keys.length, seconds: s, perSec: keys.length / s, checksum: acc.sum });
  }
  db.close();
  out(result);
} else {
  throw new Error(`unknown task ${spec.task}`);
}
