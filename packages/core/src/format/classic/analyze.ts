// analyze() for classic djb cdb files: the numbers tinycdb's `cdb -s` prints, as core's
// DbStats (exact averages), plus the `classic` extras: per-table lengths and the exact
// integers `cdb -s` would print (its rounding and its quirks), with a formatter.
import type { ByteSource } from '../../source/byte-source.js';
import { DistinctKeys, LengthCounter, type ClassicStats, type DbStats, type TinycdbStats } from '../stats.js';
import { probeDistance, SLOT, TABLES } from './codec.js';
import { openClassicEngine } from './engine.js';
import { checkTablesDisjoint } from './verify.js';
/** DbStats with the classic extras (see docs/CLASSIC.md §Statistics). */
export type ClassicDbStats = DbStats & { classic: ClassicStats };

export function analyzeClassic(src: ByteSource, path: string): ClassicDbStats {
  const engine = openClassicEngine(src, 'memory', path);
  const toc = engine.toc;
  checkTablesDisjoint(toc, path);
  const keys = new LengthCounter();
  const values = new LengthCounter();
  const tiny = { kmin: 0, kmax: 0, vmin: 0, vmax: 0 };
  let records = 0;
  for (const rec of engine.records()) {
    records++;
    keys.add(rec.keyLength);
    values.add(rec.valueLength);
    tinyMinMax(tiny, 'k', rec.keyLength);
    tinyMinMax(tiny, 'v', rec.valueLength);
  }
  const keyLength = keys.finish();
  const valueLength = values.finish();

  const histogram = new Array<number>(11).fill(0);
  const tableLengths = new LengthCounter();
  let tables = 0;
  let slotsTotal = 0;
  let used = 0;
  let collisions = 0;
  let maxProbe = 0;
  const distinct = new DistinctKeys();
  for (let t = 0; t < TABLES; t++) {
    const n = toc.slots[t]!;
    if (n === 0) continue;
    tables++;
    slotsTotal += n;
    tableLengths.add(n);
    const table = src.bytes(toc.pos[t]!, n * SLOT);
    const byHash = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const recPos = table.readUInt32LE(i * SLOT + 4);
      if (recPos === 0) continue;
      used++;
      const h = table.readUInt32LE(i * SLOT);
      const d = probeDistance(h, i, n);
      if (d > 0) collisions++;
      if (d > maxProbe) maxProbe = d;
      histogram[Math.min(d, 10)]!++;
      const list = byHash.get(h);
      if (list === undefined) byHash.set(h, [recPos]);
      else list.push(recPos);
    }
    // Equal keys have equal hashes: count distinct keys among each hash's records.
    for (const positions of byHash.values()) {
      distinct.next();
      if (positions.length === 1) {
        distinct.count++;
        continue;
      }
      for (const p of positions) distinct.add(engine.keyOf(engine.recordAt(p, toc.pos[t]!)));
    }
  }
  const tableLength = tableLengths.finish();

  const u32 = (x: number) => x >>> 0;
  const avg = (total: number, count: number) => (count === 0 ? 0 : Math.floor(u32(u32(total) + Math.floor(count / 2)) / count));
  const tinycdb: TinycdbStats = {
    records,
    keyMin: tiny.kmin,
    keyAvg: avg(keyLength.total, records),
    keyMax: tiny.kmax,
    valMin: tiny.vmin,
    valAvg: avg(valueLength.total, records),
    valMax: tiny.vmax,
    tables,
    entries: u32(slotsTotal),
    collisions: u32(records - histogram[0]!),
    tableMin: tables === 0 ? 0 : tableLength.min,
    tableAvg: avg(slotsTotal, tables),
    tableMax: tableLength.max,
    distances: histogram.slice(),
  };
  return {
    format: 'classic',
    fileSize: src.size,
    records,
    distinctKeys: distinct.count,
    keyLength,
    valueLength,
    index: {
      slots: slotsTotal,
      used,
      loadFactor: slotsTotal === 0 ? 0 : used / slotsTotal,
      tables,
      collisions,
      maxProbe,
      probeHistogram: histogram,
    },
    classic: { tableLength, tinycdb },
  };
}

function tinyMinMax(s: { kmin: number; kmax: number; vmin: number; vmax: number }, which: 'k' | 'v', len: number): void {
  if (which === 'k') {
    if (!s.kmin || s.kmin > len) s.kmin = len;
    if (s.kmax < len) s.kmax = len;
  } else {
    if (!s.vmin || s.vmin > len) s.vmin = len;
    if (s.vmax < len) s.vmax = len;
  }
}

/** The exact text tinycdb 0.78 `cdb -s` prints for these numbers. */
export function formatTinycdbStats(s: TinycdbStats): string {
  const pct = (n: number) => (s.records === 0 ? 0 : Math.floor((Math.imul(n, 100) >>> 0) / s.records));
  const lines = [
    `number of records: ${s.records}`,
    `key min/avg/max length: ${s.keyMin}/${s.keyAvg}/${s.keyMax}`,
    `val min/avg/max length: ${s.valMin}/${s.valAvg}/${s.valMax}`,
    `hash tables/entries/collisions: ${s.tables}/${s.entries}/${s.collisions}`,
    `hash table min/avg/max length: ${s.tableMin}/${s.tableAvg}/${s.tableMax}`,
    'hash table distances:',
  ];
  for (let k = 0; k < 11; k++) {
    const label = k === 10 ? '>9' : `d${k}`;
    lines.push(` ${label}: ${String(s.distances[k]).padStart(6)} ${String(pct(s.distances[k]!)).padStart(2)}%`);
  }
  return lines.join('\n') + '\n';
}
