// lmdb-js: `get` (a fresh Buffer per value) and `getBinaryFast` (a reused buffer, valid until the next call).
import { open as lmdbOpen } from 'lmdb';
import { readCdbmake } from '../lib/cdbmake.mjs';

export const store = 'lmdb';
const options = { encoding: 'binary', compression: false, noSubdir: true, noReadAhead: true };

export async function build(src, out) {
  // Bulk load, no fsync (like `cdb -c`): synchronous write transactions of 50k puts.
  const db = lmdbOpen({ path: out, ...options, noSync: true, mapSize: 64 * 2 ** 30 });
  let n = 0;
  let batch = [];
  const flush = () => {
    db.transactionSync(() => {
      for (const [k, v] of batch) db.putSync(k, v);
    });
    batch = [];
  };
  for (const [k, v] of readCdbmake(src)) {
    batch.push([k.latin1Slice(), v]);
    n++;
    if (batch.length === 50_000) flush();
  }
  flush();
  await db.close();
  return { records: n };
}

export function open(file, variant) {
  const db = lmdbOpen({ path: file, ...options, readOnly: true });
  return {
    get: variant === 'fast' ? (k) => db.getBinaryFast(k) : (k) => db.get(k),
    scan(touch) {
      for (const { value } of db.getRange({})) touch(value);
    },
    close: () => db.close(),
  };
}
