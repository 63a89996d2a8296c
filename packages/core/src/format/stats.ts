// What analyze() reports (`cdb stats`), for both formats.
export interface LengthStats {
  min: number;
  avg: number;
  max: number;
  total: number;
}

export interface DbStats {
  format: 'mmcdb' | 'classic';
  fileSize: number;
  records: number;
  distinctKeys: number;
  keyLength: LengthStats;
  valueLength: LengthStats;
  index: {
    /** Slots in the index (classic: all 256 tables together). */
    slots: number;
    /** Slots in use (= records). */
    used: number;
    loadFactor: number;
    /** Non-empty tables (classic only; 1 for mmcdb). */
    tables: number;
    /** Records not in their home slot. */
    collisions: number;
    maxProbe: number;
    /** probeHistogram[d] = records at probe distance d, for d = 0..9; [10] = farther. */
    probeHistogram: number[];
  };
  seed?: bigint;
  valueAlign?: number;
  /** Classic files only: per-table lengths and tinycdb `cdb -s` numbers (docs/CLASSIC.md §Statistics). */
  classic?: ClassicStats;
}

/** What tinycdb 0.78 `cdb -s` prints, computed the way it computes it (32-bit unsigned C arithmetic). */
export interface TinycdbStats {
  /** Records in the data section (from 2048 to the position of table 0). */
  records: number;
  /** tinycdb's min skips over zero: `if (!min || min > len) min = len`. */
  keyMin: number;
  /** (total + records/2) / records, in integers. */
  keyAvg: number;
  keyMax: number;
  valMin: number;
  valAvg: number;
  valMax: number;
  /** Tables with at least one slot. */
  tables: number;
  /** Slots in all tables. */
  entries: number;
  /** records − records at distance 0. */
  collisions: number;
  tableMin: number;
  tableAvg: number;
  tableMax: number;
  /** Records at probe distance 0..9, then > 9. */
  distances: number[];
}

export interface ClassicStats {
  /** Slots per non-empty table (avg exact). */
  tableLength: LengthStats;
  /** The integers `cdb -s` prints; formatTinycdbStats() renders its exact text. */
  tinycdb: TinycdbStats;
}

/** Min / max / total of a series of lengths; finish() sets the average. */
export class LengthCounter {
  readonly stats: LengthStats = { min: 0, avg: 0, max: 0, total: 0 };
  count = 0;

  add(n: number): void {
    const s = this.stats;
    if (++this.count === 1 || n < s.min) s.min = n;
    if (n > s.max) s.max = n;
    s.total += n;
  }

  finish(): LengthStats {
    this.stats.avg = this.count === 0 ? 0 : this.stats.total / this.count;
    return this.stats;
  }
}

/**
 * Counts distinct keys among records grouped by hash (equal keys have equal hashes):
 * call next() at each new hash, then add() each key of the group. A Set per group keeps
 * it O(total key bytes) even when every record claims the same hash (a crafted file).
 */
export class DistinctKeys {
  count = 0;
  #group = new Set<string>();
  #single: string | undefined = undefined;

  next(): void {
    this.#group.clear();
    this.#single = undefined;
  }

  add(key: Uint8Array): void {
    const s = Buffer.from(key.buffer, key.byteOffset, key.length).toString('latin1');
    if (this.#single === undefined && this.#group.size === 0) {
      this.#single = s;
      this.count++;
      return;
    }
    if (this.#single !== undefined) {
      if (this.#single === s) return;
      this.#group.add(this.#single);
      this.#single = undefined;
    }
    if (!this.#group.has(s)) {
      this.#group.add(s);
      this.count++;
    }
  }
}
