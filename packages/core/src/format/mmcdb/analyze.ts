// analyze() for mmcdb files: record and length statistics plus the shape of the index
// (load factor, probe distances), in one pass over the records and one over the index.
import type { ByteSource } from '../../source/byte-source.js';
import { DistinctKeys, LengthCounter, type DbStats } from '../stats.js';
import { decodeSlot, homeSlot, SLOT_SIZE, type Header, type Slot } from './codec.js';
import { MmcdbEngine } from './engine.js';

export function analyzeMmcdb(src: ByteSource, h: Header, path: string): DbStats {
  const engine = new MmcdbEngine(src, h, 'memory', path);
  const keys = new LengthCounter();
  const values = new LengthCounter();
  for (const rec of engine.records()) {
    if (rec.superseded) continue;
    keys.add(rec.keyLength);
    values.add(rec.valueLength);
  }
  const histogram = new Array<number>(11).fill(0);
  let used = 0;
  let collisions = 0;
  let maxProbe = 0;
  const distinct = new DistinctKeys();
  let runHi = -1;
  let runLo = -1;
  const s: Slot = { hashHi: 0, hashLo: 0, position: 0 };
  for (let i = 0; i < h.indexLength; i++) {
    const slotOffset = h.indexOffset + i * SLOT_SIZE;
    const { hashHi: hi, hashLo: lo, position: pos } = decodeSlot(src.data, src.load(slotOffset, SLOT_SIZE), s);
    if (pos === 0) continue;
    used++;
    const d = i - homeSlot(hi, h.homeSlots);
    if (d > 0) collisions++;
    maxProbe = Math.max(maxProbe, d);
    histogram[Math.min(d, 10)]!++;
    // Equal keys have equal hashes, and the index keeps equal hashes together.
    if (hi !== runHi || lo !== runLo) {
      runHi = hi;
      runLo = lo;
      distinct.next();
    }
    distinct.add(engine.keyOf(engine.recordAt(pos, slotOffset)));
  }
  return {
    format: 'mmcdb',
    fileSize: h.fileLength,
    records: h.recordCount,
    distinctKeys: distinct.count,
    keyLength: keys.finish(),
    valueLength: values.finish(),
    index: {
      slots: h.indexLength,
      used,
      loadFactor: h.indexLength === 0 ? 0 : used / h.indexLength,
      tables: h.indexLength === 0 ? 0 : 1,
      collisions,
      maxProbe,
      probeHistogram: histogram,
    },
    seed: h.seed,
    valueAlign: h.valueAlign,
  };
}
