// Deterministic seeded datasets: keys, values, the cdbmake source file and lookup key files.
// Every record i is a pure function of (seed, i): nothing random is stored, nothing differs between runs.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ALPHA = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** splitmix32-style mixer: a well-distributed 32-bit hash of (seed, i). */
export function mix32(seed, i) {
  let z = (seed ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** xorshift32 stream seeded from (seed, i). */
function* xorshift(seed) {
  let x = seed >>> 0 || 0x6d2b79f5;
  for (;;) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    yield x;
  }
}

/**
 * Key of record i: 8–32 bytes; random filler then 5 base62 digits of i (unique by construction,
 * not in sorted order). Miss keys use '-' + 4 digits, a byte no hit key contains.
 */
export function keyOf(seed, i, miss = false) {
  const h = mix32(seed, miss ? i + 0x40000000 : i);
  const len = 8 + (h % 25);
  const rnd = xorshift(h);
  let s = '';
  for (let j = 0; j < len - 5; j++) s += ALPHA[rnd.next().value % 62];
  let n = i;
  let tail = '';
  for (let j = 0; j < (miss ? 4 : 5); j++) {
    tail = ALPHA[n % 62] + tail;
    n = Math.floor(n / 62);
  }
  return s + (miss ? '-' : '') + tail;
}

/** Value of record i: a fixed random template with the first and last bytes varying per record. */
export function valueTemplate(seed, size) {
  const t = Buffer.allocUnsafe(size);
  const rnd = xorshift(seed ^ 0x5bd1e995);
  for (let j = 0; j < size; j++) t[j] = rnd.next().value & 0xff;
  return t;
}
export function stampValue(buf, seed, i) {
  const h = mix32(seed ^ 0x27d4eb2f, i);
  buf[0] = h & 0xff;
  buf[buf.length - 1] = (h >>> 8) & 0xff;
  return buf;
}

/** Writes `+klen,dlen:key->data\n` … `\n` (the cdbmake format) for records 0..n-1. */
export function writeCdbmake(file, { records, valueSize, seed }) {
  const fd = fs.openSync(file + '.part', 'w');
  const out = Buffer.allocUnsafe(Math.max(8 << 20, valueSize * 2 + 256));
  const value = valueTemplate(seed, valueSize);
  let o = 0;
  for (let i = 0; i < records; i++) {
    const key = keyOf(seed, i);
    const need = 40 + key.length + valueSize;
    if (o + need > out.length) {
      fs.writeSync(fd, out, 0, o);
      o = 0;
    }
    o += out.write(`+${key.length},${valueSize}:${key}->`, o, 'latin1');
    o += stampValue(value, seed, i).copy(out, o);
    out[o++] = 0x0a;
  }
  out[o++] = 0x0a;
  fs.writeSync(fd, out, 0, o);
  fs.closeSync(fd);
  fs.renameSync(file + '.part', file);
}

/** Key file: u32le count, then per key u8 length + bytes. Read by the JS children and the C harness. */
export function writeKeyFile(file, keys) {
  let size = 4;
  for (const k of keys) size += 1 + k.length;
  const buf = Buffer.allocUnsafe(size);
  buf.writeUInt32LE(keys.length, 0);
  let o = 4;
  for (const k of keys) {
    buf[o++] = k.length;
    o += buf.write(k, o, 'latin1');
  }
  fs.writeFileSync(file, buf);
}
export function readKeyFile(file, limit = Infinity) {
  const buf = fs.readFileSync(file);
  const n = Math.min(buf.readUInt32LE(0), limit);
  const keys = new Array(n);
  let o = 4;
  for (let i = 0; i < n; i++) {
    const len = buf[o++];
    keys[i] = buf.latin1Slice(o, o + len);
    o += len;
  }
  return keys;
}

/** The same random lookup order for every engine: uniform random record indexes (with repeats). */
export function lookupKeys(seed, records, count, miss) {
  const rnd = xorshift(mix32(seed, miss ? 777 : 555));
  const keys = new Array(count);
  for (let j = 0; j < count; j++) {
    const r = rnd.next().value;
    keys[j] = miss ? keyOf(seed, r % 14_000_000, true) : keyOf(seed, r % records);
  }
  return keys;
}

/** Generates (or reuses) a dataset's files under dir; returns their paths. */
export function ensureDataset(dir, ds, log) {
  fs.mkdirSync(dir, { recursive: true });
  const stamp = JSON.stringify({ v: 1, records: ds.records, valueSize: ds.valueSize, seed: ds.seed, lookups: ds.lookups });
  const files = {
    dir,
    cdbmake: path.join(dir, 'data.cdbmake'),
    hits: path.join(dir, 'hits.keys'),
    misses: path.join(dir, 'misses.keys'),
  };
  const stampFile = path.join(dir, 'dataset.json');
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return files;
  log(`  generating ${ds.id}: ${ds.records} records × ${ds.valueSize} B …`);
  writeCdbmake(files.cdbmake, ds);
  writeKeyFile(files.hits, lookupKeys(ds.seed, ds.records, ds.lookups, false));
  writeKeyFile(files.misses, lookupKeys(ds.seed, ds.records, ds.lookups, true));
  fs.writeFileSync(stampFile, stamp);
  return files;
}
