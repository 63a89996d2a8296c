// node bench/lib/pmd-share.mjs FILE: maps FILE (mmap reader), faults every page in, and
// prints {"mappedKiB", "pmdMappedKiB"} summed over this process's mappings of it
// (/proc/self/smaps FilePmdMapped: the part mapped with 2 MiB entries). Linux only.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openSync } from '@mmcdb/core';

const file = path.resolve(process.argv[2]);
const db = openSync(file, { backend: 'mmap' });
await db.warm({ what: 'all' }); // the pages are cached already: this maps them
let mappedKiB = 0;
let pmdMappedKiB = 0;
let ours = false;
for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
  if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) ours = line.endsWith(file);
  else if (ours && line.startsWith('Rss:')) mappedKiB += Number(line.split(/\s+/)[1]);
  else if (ours && line.startsWith('FilePmdMapped:')) pmdMappedKiB += Number(line.split(/\s+/)[1]);
}
db.close();
console.log(JSON.stringify({ mappedKiB, pmdMappedKiB }));
