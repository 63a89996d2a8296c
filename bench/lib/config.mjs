// What a run measures. Engines: id → { module (bench/engines/*.mjs, or 'tinycdb' = C), variant, store }.
export const ENGINES = {
  tinycdb: { module: 'tinycdb', store: 'tinycdb', label: 'tinycdb C (cdb_find)' },
  'mmcdb-mmap': { module: 'mmcdb', variant: 'mmap', store: 'mmcdb', label: 'mmcdb mmap (native)' },
  // The same through the Node-API addon (issue 16: the path before V8 fast calls), in the same rounds.
  'mmcdb-mmap-napi': {
    module: 'mmcdb',
    variant: 'mmap',
    store: 'mmcdb',
    label: 'mmcdb mmap (Node-API addon)',
    env: { MMCDB_NATIVE_FLAVOR: 'napi' },
  },
  'mmcdb-memory': { module: 'mmcdb', variant: 'memory', store: 'mmcdb', label: 'mmcdb memory (readFile)' },
  'mmcdb-pread': { module: 'mmcdb', variant: 'pread', store: 'mmcdb', label: 'mmcdb pread' },
  map: { module: 'map', store: 'map', label: 'JS Map of Buffers' },
  'lmdb-get': { module: 'lmdb', variant: 'get', store: 'lmdb', label: 'lmdb-js get' },
  'lmdb-fast': { module: 'lmdb', variant: 'fast', store: 'lmdb', label: 'lmdb-js getBinaryFast' },
  sqlite: { module: 'sqlite', store: 'sqlite', label: 'better-sqlite3 (pluck)' },
  level: { module: 'level', store: 'level', label: 'classic-level getSync' },
};
export const ANCHORS = ['tinycdb', 'map', 'lmdb-get'];
export const MMCDB = ['mmcdb-mmap', 'mmcdb-memory', 'mmcdb-pread'];
const ALL = Object.keys(ENGINES);
const COLD = ['tinycdb', ...MMCDB];
const SEED = 0x6d6d6364;

// Cold-cache runs: a sync get loop, and getManyAsync with batches of 64–256 keys, several in flight.
const COLD_CONFIGS = [
  { id: 'sync', mode: 'sync' },
  { id: 'async-64x8', mode: 'async', batch: 64, inflight: 8 },
  { id: 'async-128x8', mode: 'async', batch: 128, inflight: 8 },
  { id: 'async-256x4', mode: 'async', batch: 256, inflight: 4 },
  // The same with a 2-thread pool (2 vCPUs here): does the stall come from CPU contention?
  { id: 'async-64x8-tp2', mode: 'async', batch: 64, inflight: 8, env: { UV_THREADPOOL_SIZE: '2' } },
];
const ds = (id, records, valueSize, o) => ({ id, records, valueSize, seed: SEED, warmup: 100_000, ...o });

export function plan(quick) {
  if (quick) {
    const q20k = ds('q-20k-100b', 20_000, 100, {
      lookups: 5_000,
      warmup: 1_000,
      engines: ALL,
      cold: COLD,
      coldCount: 200,
      scan: true,
      anchor: true,
    });
    return {
      rounds: 1,
      big: false,
      datasets: [
        q20k,
        ds('q-256-16k', 256, 16_384, { lookups: 2_000, warmup: 200, engines: ALL, cold: COLD, coldCount: 100, scan: true }),
      ],
      batch: {
        warm: { ds: q20k, sizes: [256, 1024], rounds: 1 },
        cold: { ds: q20k, count: 1_000, firstCount: 200, rounds: 1, configs: COLD_CONFIGS.slice(0, 2) },
      },
      serve: { rounds: 1, amount: 300, connections: 4, verify: 20 },
    };
  }
  const m1 = ds('1m-100b', 1_000_000, 100, {
    lookups: 500_000,
    engines: ALL,
    cold: COLD,
    coldCount: 10_000,
    scan: true,
    anchor: true,
    profile: true,
  });
  const m10 = ds('10m-100b', 10_000_000, 100, {
    lookups: 500_000,
    rounds: 3,
    engines: ['tinycdb', ...MMCDB, 'mmcdb-mmap-napi'],
    cold: [],
    scan: false,
    buildTarget: true,
  });
  return {
    rounds: 5,
    big: true,
    // Batches (issue 7): warm getMany on the anchor dataset; cold getManyAsync and warm() on 10M records.
    batch: {
      warm: { ds: m1, sizes: [256, 1024], rounds: 5 },
      cold: { ds: m10, count: 20_000, firstCount: 1_000, rounds: 3, configs: COLD_CONFIGS },
    },
    // Serve (issue 9): seconds of load per run after a 1 s untimed warm-up; autocannon connections.
    serve: { rounds: 3, duration: 8, connections: 16, verify: Infinity },
    datasets: [
      m1,
      m10,
      ds('1m-16b', 1_000_000, 16, { lookups: 200_000, rounds: 3, engines: ALL, cold: COLD, coldCount: 5_000, scan: true }),
      ds('1m-1k', 1_000_000, 1024, { lookups: 200_000, rounds: 3, engines: ALL, cold: COLD, coldCount: 5_000, scan: true }),
      ds('64k-16k', 65_536, 16_384, { lookups: 100_000, rounds: 3, engines: ALL, cold: COLD, coldCount: 2_000, scan: true }),
      ds('1k-1m', 1_024, 1 << 20, {
        lookups: 5_000,
        warmup: 1_000,
        rounds: 3,
        engines: ALL,
        cold: COLD,
        coldCount: 200,
        scan: true,
      }),
    ],
  };
}
