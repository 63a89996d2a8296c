// Child of worker-terminate.test.ts. 100 rounds: 4 worker threads each load the addon
// (@mmcdb/core's mmap backend, and the addon's own module) and loop open / get /
// getMany / getManyAsync / warm / close on an mmcdb and a classic file, while this
// thread terminates each at a random moment — during the addon's load, inside open(),
// between calls, with threadpool jobs in flight. Prints "survived <rounds>" and exits 0
// when the process lives through all of it; a crash (abort, SIGSEGV) is the failure.
//   node worker-terminate-child.mjs <mmcdb file> <classic file> <native index.js> [rounds]
import { Worker } from 'node:worker_threads';

const [mmcdbFile, classicFile, nativeIndex, roundsArg] = process.argv.slice(2);
const ROUNDS = Number(roundsArg ?? 100);
const WORKERS = 4;

const body = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  const { openSync } = await import('@mmcdb/core');
  const native = (await import(workerData.nativeIndex)).default;
  const keys = Array.from({ length: 64 }, (_, i) => 'key' + i);
  parentPort.postMessage('ready');
  for (let i = 0; ; i++) {
    // Mostly open(): the window where a terminated env failed napi_create_* calls.
    for (let j = 0; j < 20; j++) native.open(j % 2 ? workerData.classicFile : workerData.mmcdbFile).close();
    const file = i % 2 ? workerData.classicFile : workerData.mmcdbFile;
    const db = openSync(file, { backend: 'mmap' });
    db.get('key' + (i % 100));
    db.getMany(keys);
    void db.getManyAsync(keys).catch(() => {});
    if (i % 7 === 0) void db.warm({ what: 'index' }).catch(() => {});
    db.close();
    const h = native.open(file);
    h.get('key3');
    void h.getManyAsync(keys).catch(() => {});
    h.close();
    if (i % 16 === 0) await new Promise((r) => setImmediate(r));
  }
})();
`;

let seed = 4242;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;

for (let round = 0; round < ROUNDS; round++) {
  const workers = [];
  for (let w = 0; w < WORKERS; w++) {
    const worker = new Worker(body, { eval: true, workerData: { mmcdbFile, classicFile, nativeIndex } });
    worker.on('error', () => {}); // a terminated worker may report an error; only a dead process fails
    workers.push(worker);
  }
  // Half of them are terminated 0–40 ms after the start (mostly while loading core and
  // the addon), half 0–3 ms after they report that they loop (mostly inside open()).
  await Promise.all(
    workers.map(
      (worker, w) =>
        new Promise((resolve) => {
          const kill = (ms) => setTimeout(() => worker.terminate().then(resolve, resolve), ms);
          if (w % 2 === 0) kill(Math.floor(rnd() * 40));
          else worker.once('message', () => kill(rnd() * 3));
          worker.once('exit', resolve);
        }),
    ),
  );
}
console.log(`survived ${ROUNDS}`);
