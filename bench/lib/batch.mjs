// Batches and cold data (issue 7): warm getMany vs tinycdb C and vs a sync get loop; cold
// getManyAsync vs a sync get loop with the event-loop stall; first gets with and without warm().
// Every measurement is one child process (bench/child.mjs); medians over rounds; checksums.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readKeyFile, writeKeyFile } from './dataset.mjs';

export const BATCH_LABELS = {
  tinycdb: 'tinycdb C (cdb_find, one at a time)',
  get: 'mmcdb mmap get() loop',
};
export const batchLabel = (id) => BATCH_LABELS[id] ?? id.replace(/^getMany-(\d+)$/, 'mmcdb mmap getMany($1 keys)');
export const coldLabel = (c) =>
  c.mode === 'sync'
    ? 'sync get() loop'
    : `getManyAsync ×${c.batch} keys, ${c.inflight} in flight${c.env?.UV_THREADPOOL_SIZE ? `, threadpool ${c.env.UV_THREADPOOL_SIZE}` : ''}`;

/**
 * cfg: { warm: { ds, sizes, rounds }, cold: { ds, count, configs, rounds, firstCount } }
 * helpers: { dataDir, child, evict, tinycdb, ensureBuilt(ds, stores) → files, log }
 */
export function batches(cfg, { child, evict, tinycdb, ensureBuilt, log }) {
  const out = { warm: null, cold: null, first: null };

  // ---- warm: getMany vs tinycdb C vs get loop ----
  {
    const { ds, sizes, rounds } = cfg.warm;
    log(`\n== batches (warm): ${ds.id}, ${ds.lookups} hits, getMany batches ${sizes.join('/')}, ${rounds} rounds`);
    const files = ensureBuilt(ds, ['mmcdb', 'tinycdb']);
    const db = path.join(files.dir, 'db.mmcdb');
    const ids = ['tinycdb', 'get', ...sizes.map((b) => `getMany-${b}`)];
    const res = {
      dataset: ds.id,
      records: ds.records,
      valueSize: ds.valueSize,
      lookups: ds.lookups,
      warmup: ds.warmup,
      sizes,
      rounds: [],
      errors: {},
      unavailable: {},
    };
    for (let r = 0; r < rounds; r++) {
      const order = ids.slice(r % ids.length).concat(ids.slice(0, r % ids.length));
      const round = {};
      for (const id of order) {
        let x;
        if (id === 'tinycdb') {
          const why = tinycdb.unavailable();
          if (why) x = { unavailable: why };
          else {
            try {
              const h = tinycdb.harness([path.join(files.dir, 'db.tinycdb'), 'get', files.hits, String(ds.warmup)]);
              x = { hits: { n: h.n, found: h.found, checksum: h.checksum, seconds: h.seconds, perSec: h.perSec } };
            } catch (e) {
              x = { error: e.message };
            }
          }
        } else {
          const batch = id === 'get' ? 0 : Number(id.split('-')[1]);
          x = child({ module: 'mmcdb', variant: 'mmap', task: 'batch', db, hits: files.hits, warmup: ds.warmup, batch });
        }
        if (x.unavailable) res.unavailable[id] = x.unavailable;
        else if (x.error) res.errors[id] = x.error;
        else round[id] = x;
        log(
          `  round ${r + 1} ${id}: ${x.hits ? `${(x.hits.perSec / 1e6).toFixed(3)}M/s` : (x.unavailable ?? `ERROR ${x.error}`)}`,
        );
      }
      res.rounds.push(round);
    }
    out.warm = res;
  }

  // ---- cold: getManyAsync vs sync get loop, event-loop stall; then first gets ± warm() ----
  {
    const { ds, count, configs, rounds, firstCount } = cfg.cold;
    log(`\n== batches (cold): ${ds.id}, ${count} hits after eviction, ${rounds} rounds`);
    const files = ensureBuilt(ds, ['mmcdb']);
    const db = path.join(files.dir, 'db.mmcdb');
    const keys = path.join(files.dir, `cold-batch-${count}.keys`);
    writeKeyFile(keys, readKeyFile(files.hits, count));
    // The first-gets list: another slice of the hit list, so it is not the cold list again.
    const firstKeys = path.join(files.dir, `first-${firstCount}.keys`);
    writeKeyFile(firstKeys, readKeyFile(files.hits, count + firstCount).slice(count));
    const cold = {
      dataset: ds.id,
      records: ds.records,
      valueSize: ds.valueSize,
      count,
      configs,
      fileBytes: fs.statSync(db).size,
      rounds: [],
      eviction: [],
      errors: {},
      unavailable: {},
    };
    const ids = configs.map((c) => c.id);
    for (let r = 0; r < rounds; r++) {
      const order = ids.slice(r % ids.length).concat(ids.slice(0, r % ids.length));
      const round = {};
      for (const id of order) {
        const c = configs.find((x) => x.id === id);
        const ev = evict(db);
        cold.eviction.push({ run: id, ...ev });
        const x = ev.error
          ? { error: `evict: ${ev.error}` }
          : child({
              module: 'mmcdb',
              variant: 'mmap',
              task: 'coldBatch',
              db,
              hits: keys,
              mode: c.mode,
              batch: c.batch,
              inflight: c.inflight,
              env: c.env,
            });
        if (x.unavailable) cold.unavailable[id] = x.unavailable;
        else if (x.error) cold.errors[id] = x.error;
        else round[id] = { ...x, residentAfterEvict: ev.residentBytes };
        log(
          `  cold ${r + 1} ${id}: ${x.hits ? `${x.hits.perSec.toFixed(0)} gets/s, longest loop delay ${x.loop.maxMs.toFixed(1)} ms (idle ${x.idleLoop.maxMs.toFixed(1)} ms)` : (x.unavailable ?? `ERROR ${x.error}`)}`,
        );
      }
      cold.rounds.push(round);
    }
    out.cold = cold;

    const first = { dataset: ds.id, count: firstCount, rounds: [], eviction: [], errors: {}, unavailable: {} };
    for (let r = 0; r < rounds; r++) {
      const round = {};
      for (const id of r % 2 ? ['warm', 'nowarm'] : ['nowarm', 'warm']) {
        const ev = evict(db);
        first.eviction.push({ run: id, ...ev });
        const x = ev.error
          ? { error: `evict: ${ev.error}` }
          : child({ module: 'mmcdb', variant: 'mmap', task: 'firstGets', db, hits: firstKeys, warm: id === 'warm' });
        if (x.unavailable) first.unavailable[id] = x.unavailable;
        else if (x.error) first.errors[id] = x.error;
        else round[id] = { ...x, residentAfterEvict: ev.residentBytes };
        log(
          `  first ${r + 1} ${id}: ${x.latency ? `p50 ${(x.latency.p50Ms * 1e3).toFixed(0)} µs p99 ${(x.latency.p99Ms * 1e3).toFixed(0)} µs${x.warmMs != null ? `, warm() ${x.warmMs.toFixed(0)} ms, index ${((100 * x.residentAfterWarm.index) / x.residentAfterWarm.indexTotal).toFixed(1)} %` : ''}` : (x.unavailable ?? `ERROR ${x.error}`)}`,
        );
      }
      first.rounds.push(round);
    }
    out.first = first;
  }
  // Same work → same checksum, whatever the engine or batching.
  const sums = (rounds) => [...new Set(rounds.flatMap((r) => Object.values(r).map((x) => x.hits.checksum)))];
  out.checksums = { warm: sums(out.warm.rounds), cold: sums(out.cold.rounds), first: sums(out.first.rounds) };
  out.checksumsAgree = Object.values(out.checksums).every((s) => s.length <= 1);
  return out;
}
