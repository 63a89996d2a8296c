// verify() for classic djb cdb files (docs/CLASSIC.md §Verify): a classic file has no
// checksum, so this walks every record and every table slot and checks that each slot
// points at a record start, carries that record's djb hash, sits in the right table and
// can be reached by a lookup from its home slot.
import { binarySearch } from '../../util/binary-search.js';
import { CdbError } from '../../util/errors.js';
import type { ByteSource } from '../../source/byte-source.js';
import { djbHash, probeDistance, SLOT, TABLES, tablesOverlap, type Toc } from './codec.js';
import { openClassicEngine, type ClassicEngine } from './engine.js';

/** Walks every record and table slot of a classic file; returns the record count or throws CdbError. */
export function verifyClassic(src: ByteSource, path: string): number {
  const engine = openClassicEngine(src, 'memory', path);
  const toc = engine.toc;
  checkTablesDisjoint(toc, path);
  const starts = recordStarts(engine);
  const referenced = new Uint8Array(starts.length);
  for (let t = 0; t < TABLES; t++) {
    const n = toc.slots[t]!;
    if (n === 0) continue;
    const tablePos = toc.pos[t]!;
    if (tablePos < toc.dataEnd) {
      throw new CdbError(
        'ERR_CDB_CORRUPT',
        `table ${t} starts at ${tablePos}, inside the records (which end at ${toc.dataEnd})`,
        {
          offset: t * 8,
          path,
        },
      );
    }
    const table = src.bytes(tablePos, n * SLOT);
    // Walk the table cyclically from just after an empty slot, so that "no empty slot
    // between home and here" can be checked in one pass. A full table has no empty slot:
    // every entry is reachable within `n` probes.
    let empty = -1;
    for (let i = 0; i < n; i++) {
      if (table.readUInt32LE(i * SLOT + 4) === 0) {
        empty = i;
        break;
      }
    }
    let lastEmpty = empty; // in unwrapped coordinates
    const first = empty + 1;
    for (let u = first; u < first + n; u++) {
      const i = u % n;
      const slotOffset = tablePos + i * SLOT;
      const h = table.readUInt32LE(i * SLOT);
      const recPos = table.readUInt32LE(i * SLOT + 4);
      if (recPos === 0) {
        lastEmpty = u;
        continue;
      }
      const bad = (what: string) =>
        new CdbError('ERR_CDB_CORRUPT', `table ${t} slot ${i}: ${what}`, { offset: slotOffset, path });
      if ((h & 255) !== t) throw bad(`hash ${hex(h)} belongs in table ${h & 255}`);
      const r = binarySearch(starts, recPos);
      if (r < 0) throw bad(`position ${recPos} is not the start of a record`);
      if (referenced[r]) throw bad(`record at ${recPos} is referenced by a second slot`);
      referenced[r] = 1;
      const keyHash = djbHash(engine.keyOf(engine.recordAt(recPos, slotOffset)));
      if (keyHash !== h) throw bad(`stored hash ${hex(h)} differs from the key's hash ${hex(keyHash)} (record at ${recPos})`);
      const d = probeDistance(h, i, n);
      if (empty >= 0 && lastEmpty >= u - d) {
        throw bad(`unreachable: an empty slot lies between it and its home slot ${(h >>> 8) % n}`);
      }
    }
  }
  return starts.length;
}

/** Walks the records from 2048 to the end of the records; returns their sorted start offsets. */
function recordStarts(engine: ClassicEngine): Float64Array {
  let starts = new Float64Array(1024);
  let count = 0;
  for (const rec of engine.records()) {
    if (count === starts.length) {
      const grown = new Float64Array(count * 2);
      grown.set(starts);
      starts = grown;
    }
    starts[count++] = rec.position;
  }
  return starts.subarray(0, count);
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

/**
 * Refuses a TOC whose tables overlap: no writer makes one, and walking 256 tables that
 * all cover the same bytes would cost 256 × the file (verify and analyze stay O(file)).
 */
export function checkTablesDisjoint(toc: Toc, path: string): void {
  if (!tablesOverlap(toc)) return;
  const order = [...toc.pos.keys()].filter((t) => toc.slots[t]! > 0).sort((a, b) => toc.pos[a]! - toc.pos[b]!);
  for (let k = 1; k < order.length; k++) {
    const a = order[k - 1]!;
    const b = order[k]!;
    if (toc.pos[b]! < toc.pos[a]! + toc.slots[a]! * SLOT) {
      throw new CdbError(
        'ERR_CDB_CORRUPT',
        `hash tables ${a} and ${b} overlap (table ${b} starts at ${toc.pos[b]}, inside table ${a})`,
        {
          offset: b * 8,
          path,
        },
      );
    }
  }
}
