// Child of truncation.test.ts: opens a database through @mmcdb/core (mmap backend),
// holds views, prints "ready", waits for the parent to truncate the file (a line on
// stdin), then runs one scenario and prints one JSON line of outcomes. A crash shows
// as a signal / non-zero exit in the parent.
//   node truncation-child.mjs <path> <keys> <scenario>
//   scenarios: sync | async-first | views-first | iterate-first | warm-first
//              | chain <file> | unchained <file>   (SIGBUS chaining test hooks)
import * as readline from 'node:readline';
import { CdbError, openSync } from '@mmcdb/core';
import { createRequire } from 'node:module';
import native from '../../packages/native/index.js';

// The SIGBUS chaining hook lives only in the test addon (binding.gyp target mmcdb_test).
const testAddon = createRequire(import.meta.url)('../../packages/native/build/Release/mmcdb_test.node');

const [file, keysArg, scenario] = process.argv.slice(2);

if (scenario === 'chain' || scenario === 'unchained') {
  // file: a file of one page; map 4 pages, read in the third (beyond EOF, unregistered).
  const r = testAddon.sigbusTest(file, 4 * 4096, 2 * 4096 + 5, scenario === 'chain');
  console.log(JSON.stringify(r));
  process.exit(0);
}

const KEYS = Number(keysArg);
const keys = Array.from({ length: KEYS }, (_, i) => `key:${i}`);
const expected = (i) => `value:${i}:`.padEnd(40 + (i % 200), 'v');
const db = openSync(file, { backend: 'mmap' });
const raw = native.open(file); // the same file through the addon directly: damaged() / stats().damaged
const views = [];
for (let i = 0; i < KEYS; i += 7) {
  const v = db.get(keys[i]);
  views.push([v, Buffer.from(v)]); // the view and a heap copy of its bytes
}
if (db.get(keys[0])?.toString() !== expected(0)) throw new Error('bad database');

const code = (fn) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof CdbError ? err.code : `NOT-CDB:${err?.code}:${err?.message}`;
  }
};
const acode = async (fn) => {
  try {
    await fn();
    return 'ok';
  } catch (err) {
    return err instanceof CdbError ? err.code : `NOT-CDB:${err?.code}:${err?.message}`;
  }
};

function readViews() {
  let zero = 0,
    old = 0,
    mixed = 0,
    bad = 0;
  for (const [v, copy] of views) {
    let z = 0,
      o = 0;
    for (let i = 0; i < v.length; i++) {
      if (v[i] === copy[i]) o++;
      else if (v[i] === 0) z++;
      else bad++;
    }
    if (z === 0) old++;
    else if (o === 0 || copy.every((b, i) => b === 0 || i >= v.length)) zero++;
    else mixed++;
  }
  return { zero, old, mixed, bad };
}

function getAllKeys() {
  const seq = []; // runs of outcomes: 'ok' (right value) | 'absent' | 'wrong' | code
  for (let i = 0; i < KEYS; i++) {
    let o;
    try {
      const v = db.get(keys[i]);
      o = v === undefined ? 'absent' : v.toString() === expected(i) ? 'ok' : 'wrong';
    } catch (err) {
      o = err instanceof CdbError ? err.code : `NOT-CDB:${err?.message}`;
    }
    if (seq.length === 0 || seq[seq.length - 1][0] !== o) seq.push([o, 1]);
    else seq[seq.length - 1][1]++;
  }
  return seq;
}

function others() {
  return {
    get: code(() => db.get(keys[1])),
    getAll: code(() => db.getAll(keys[2])),
    has: code(() => db.has(keys[3])),
    getMany: code(() => db.getMany(keys.slice(0, 50))),
    iterate: code(() => {
      for (const e of db) void e;
    }),
    metadata: code(() => void db.metadata),
  };
}

await new Promise((resolve) => {
  const rl = readline.createInterface({ input: process.stdin });
  rl.once('line', () => (rl.close(), resolve()));
  console.log('ready');
});

const out = { scenario };
if (scenario === 'sync') {
  out.keys = getAllKeys();
  out.after = others();
  out.views = readViews();
  out.async = await acode(() => db.getManyAsync(keys));
  out.warm = await acode(() => db.warm({ what: 'all' }));
} else if (scenario === 'async-first') {
  out.async = await acode(() => db.getManyAsync(keys));
  out.after = others();
  out.views = readViews();
} else if (scenario === 'warm-first') {
  out.warm = await acode(() => db.warm({ what: 'all' }));
  out.after = others();
} else if (scenario === 'views-first') {
  out.views = readViews();
  out.after = others();
  out.async = await acode(() => db.getManyAsync(keys));
} else if (scenario === 'iterate-first') {
  out.iterateFirst = code(() => {
    for (const e of db) void e;
  });
  out.after = others();
}
out.rawDamaged = raw.damaged();
out.rawStatsDamaged = raw.stats().damaged;
out.rawGet = (() => {
  try {
    raw.get(keys[5]);
    return 'ok';
  } catch (err) {
    return err.code; // the addon's own Error (core turns these into CdbError)
  }
})();
db.close();
raw.close();
console.log(JSON.stringify(out));
