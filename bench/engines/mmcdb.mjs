// mmcdb: one build (createWriter fed by the cdbmake parser), read through the three backends.
import { createWriter, openSync, isCdbError } from '@mmcdb/core';
import { readCdbmake } from '../lib/cdbmake.mjs';

export const store = 'mmcdb';

// fsync off: `cdb -c`, lmdb (noSync), sqlite (synchronous=OFF) and level (sync:false) skip it too.
export async function build(src, out) {
  const w = createWriter(out, { fsync: false });
  try {
    // reuse: writer.add copies key and value at once, so the parser may recycle its read buffer
    // (byte-identical output, checked; less garbage, lower peak RSS).
    for (const [k, v] of readCdbmake(src, { reuse: true })) w.add(k, v);
    const r = await w.finish();
    return { records: r.records };
  } catch (e) {
    w.abort(e);
    throw e;
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
