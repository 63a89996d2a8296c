// scan.test.ts: scans <file> with <scan> (forEach | forEachRaw | entries) on the mmap
// backend and truncates the file to one page at the first record, so the pages of every
// later native batch are gone. Prints { code, seen, zeros, damaged } of the error that stopped it.
import * as fs from 'node:fs';
import { openSync } from '@mmcdb/core';

const [file, scan] = process.argv.slice(2);
const db = openSync(file, { backend: 'mmap' });
let seen = 0;
let zeros = 0;
// Every key starts with 'k': a 0 is a lost page read through a view made before the cut.
const cut = (keyByte) => {
  if (seen++ === 0) fs.truncateSync(file, 4096);
  else if (keyByte === 0) zeros++;
};
let code = 'none';
try {
  if (scan === 'forEach') {
    db.forEach((k) => {
      cut(k[0]);
    });
  } else if (scan === 'forEachRaw') {
    db.forEachRaw((b, ks) => {
      cut(b[ks]);
    });
  } else for (const [k] of db.entries()) cut(k[0]);
} catch (err) {
  code = err.code;
}
console.log(JSON.stringify({ code, seen, zeros, damaged: db.damaged }));
