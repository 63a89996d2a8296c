// What a run measures. Engines: id → { module (bench/engines/*.mjs, or 'tinycdb' = C), variant, store }.
export const ENGINES = {
  tinycdb: { module: 'tinycdb', store: 'tinycdb', label: 'tinycdb C (cdb_find)' },
  'mmcdb-mmap': { module: 'mmcdb', variant: 'mmap', store: 'mmcdb', label: 'mmcdb mmap (native)' },
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

const ds = (id, records, valueSize, o) => ({ id, records, valueSize, seed: SEED, warmup: 100_000, ...o });

export function plan(quick) {
  if (quick) {
    return {
      rounds: 1,
      big: false,
      datasets: [
        ds('q-20k-100b', 20_000, 100, { lookups: 5_000, warmup: 1_000, engines: ALL, cold: COLD, coldCount: 200, scan: true, anchor: true }),
        ds('q-256-16k', 256, 16_384, { lookups: 2_000, warmup: 200, engines: ALL, cold: COLD, coldCount: 100, scan: true }),
      ],
    };
  }
  return {
    rounds: 5,
    big: true,
    datasets: [
      ds('1m-100b', 1_000_000, 100, { lookups: 500_000, engines: ALL, cold: COLD, coldCount: 10_000, scan: true, anchor: true, profile: true }),
      ds('10m-100b', 10_000_000, 100, { lookups: 500_000, rounds: 3, engines: ['tinycdb', ...MMCDB], cold: [], scan: false, buildTarget: true }),
      ds('1m-16b', 1_000_000, 16, { lookups: 200_000, rounds: 3, engines: ALL, cold: COLD, coldCount: 5_000, scan: true }),
      ds('1m-1k', 1_000_000, 1024, { lookups: 200_000, rounds: 3, engines: ALL, cold: COLD, coldCount: 5_000, scan: true }),
      ds('64k-16k', 65_536, 16_384, { lookups: 100_000, rounds: 3, engines: ALL, cold: COLD, coldCount: 2_000, scan: true }),
      ds('1k-1m', 1_024, 1 << 20, { lookups: 5_000, warmup: 1_000, rounds: 3, engines: ALL, cold: COLD, coldCount: 200, scan: true }),
    ],
  };
}
