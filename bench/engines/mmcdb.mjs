// mmcdb: one build (createWriter fed by the cdbmake parser), read through the three backends.
import { createWriter, openSync, isCdbError } from '@mmcdb/core';
import * as fs from 'node:fs';

export const store = 'mmcdb';

// fsync off: `cdb -c`, lmdb (noSync), sqlite (synchronous=OFF) and level (sync:false) skip it too.
// The input goes to Writer.addCdbmake in 8 MiB reads (what `cdb build` does): whole records
// in bulk, natively parsed, copied and hashed when the addon loads; the tail of a read that
// holds a partial record is carried over to the next one.
export async function build(src, out) {
  const w = createWriter(out, { fsync: false });
  const fd = fs.openSync(src, 'r');
  try {
    let buf = Buffer.allocUnsafe(8 << 20);
    let have = 0;
    let records = 0;
    for (;;) {
      if (have === buf.length) buf = Buffer.concat([buf, Buffer.allocUnsafe(buf.length)]); // a record larger than the buffer
      const n = fs.readSync(fd, buf, have, buf.length - have, null);
      have += n;
      const took = w.addCdbmake(buf.subarray(0, have));
      records += took.records;
      buf.copy(buf, 0, took.consumed, have);
      have -= took.consumed;
      if (n === 0) break;
    }
    if (have !== 1 || buf[0] !== 0x0a) throw new Error(`cdbmake: ${have} unparsed bytes at the end of ${src}`);
    const r = await w.finish();
    if (r.records !== records) throw new Error('record count mismatch');
    return { records: r.records };
  } catch (e) {
    w.abort(e);
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}

/** variant: 'mmap' | 'memory' | 'pread'. A missing native addon surfaces as { unavailable }. */
export function open(file, variant, _src, opts = {}) {
  let db;
  try {
    db = openSync(file, { backend: variant, ...opts });
  } catch (e) {
    if (isCdbError(e, 'ERR_CDB_BACKEND')) return { unavailable: e.message };
    throw e;
  }
  return {
    get: (k) => db.get(k),
    getMany: (ks) => db.getMany(ks),
    getManyAsync: (ks) => db.getManyAsync(ks),
    warm: (o) => db.warm(o),
    residency: () => db.residency(),
    scan(touch) {
      for (const [, v] of db.entries()) touch(v);
    },
    close: () => db.close(),
  };
}
