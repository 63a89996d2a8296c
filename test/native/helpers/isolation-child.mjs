// Child of workers.test.ts (run in a worker thread): the checks of isolation.test.ts —
// value.buffer covers only the data section, and filling it with 0xff changes no
// lookup — printing {"ok":true} or the first difference. argv: <file> <format> <native index.js>
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { openSync } from '@mmcdb/core';

const [file, format, nativeIndex] = process.argv.slice(2);
const native = (await import(pathToFileURL(nativeIndex).href)).default;
const bytes = fs.readFileSync(file);
const [from, to] = format === 'mmcdb' ? [128, Number(bytes.readBigUInt64LE(40))] : [2048, bytes.readUInt32LE(0)];
const db = openSync(file, { backend: 'mmap' });
const h = native.open(file);
const keys = Array.from({ length: 310 }, (_, i) => `key${i}`);
const answers = () =>
  JSON.stringify(
    keys.map((k) => [db.has(k), h.get(k) ? [h.out[0], h.out[1]] : null, db.getAll(k).length, db.getMany([k])[0]?.length ?? null]),
  );
const v = db.get('key3');
const fail = (what) => (console.log(JSON.stringify({ ok: false, what })), process.exit(0));
if (v.buffer.byteLength !== to - from) fail(`byteLength ${v.buffer.byteLength} != ${to - from}`);
if (!Buffer.from(v.buffer).equals(bytes.subarray(from, to))) fail('buffer is not the data section');
const before = answers();
new Uint8Array(v.buffer).fill(0xff);
if (answers() !== before) fail('answers changed');
console.log(JSON.stringify({ ok: true }));
