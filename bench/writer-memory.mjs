// Peak memory of the writer per record: builds N records × 100-byte values and samples RSS.
// Usage: node bench/writer-memory.mjs <records> [out]
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { createWriter } from '@mmcdb/core';

const n = Number(process.argv[2] ?? 1_000_000);
const out = process.argv[3] ?? path.join(os.tmpdir(), `writer-memory-${n}.mmcdb`);
const value = Buffer.alloc(100, 0x61);
globalThis.gc?.();
const base = process.memoryUsage().rss;
let peak = base;
const sample = () => {
  const rss = process.memoryUsage().rss;
  if (rss > peak) peak = rss;
};
const t0 = performance.now();
const w = createWriter(out, { fsync: false });
for (let i = 0; i < n; i++) {
  w.add(`key-${i.toString(36)}-${(i * 2654435761) >>> 0}`, value);
  if ((i & 0xffff) === 0) sample();
}
sample();
const result = await w.finish();
sample();
const seconds = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    records: n,
    fileBytes: result.bytes,
    seconds: Number(seconds.toFixed(2)),
    baselineRssMiB: Number((base / 2 ** 20).toFixed(1)),
    peakRssMiB: Number((peak / 2 ** 20).toFixed(1)),
    bytesPerRecord: Number(((peak - base) / n).toFixed(1)),
  }),
);
fs.rmSync(out);
