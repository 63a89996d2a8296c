// getManyAsync on the pread backend: the remote reader's lookups (reader/remote/lookup.ts:
// a lookup yields the byte ranges it needs next; docs/REMOTE.md §Cost model) run over the
// file's descriptor (PreadSource.readRanges: synchronous while reads are fast, fs.read on
// libuv's threadpool once reads are slow, source/range-reads.ts), so a cold batch never
// blocks the event loop. The format codecs check every position and length exactly as
// the synchronous engines do. A lookup costs one read of its slot run and one of its
// record (from the record to the end of its 4 KiB page: no page is read that the record
// does not need), plus one for a value that goes on past that page; the keys of a slice
// read each round together.
import type { ClassicEngine } from '../format/classic/engine.js';
import type { Engine } from '../format/engine.js';
import type { MmcdbEngine } from '../format/mmcdb/engine.js';
import { Semaphore } from '../source/http/concurrency.js';
import type { PreadSource } from '../source/pread.js';
import { OWN_BUFFER_OVER } from '../source/range-reads.js';
import { toBytes } from '../util/bytes.js';
import type { StartSlice } from '../util/kinds.js';
import { ClassicRemote } from './remote/classic-remote.js';
import { runLookups } from './remote/lookup.js';
import { MmcdbRemote } from './remote/mmcdb-remote.js';
import type { ReadTuning } from './remote/records.js';

/** The page a record's first read is extended to the end of. */
const PAGE = 4096;
/**
 * Slices of a reader that run their lookups at once; the rest wait their turn before making
 * any. Four slices of 256 keys queue far more reads than the source lets out at once
 * (PreadSource.readRanges), while one getManyAsync(20,000) started whole held 20,000
 * lookups and their reads in the heap: 10 ms mark-compact pauses, 80 µs CPU a lookup
 * against 64 for the same keys in batches of 64 (profiled, cold 10m-100b).
 */
const SLICES_AT_ONCE = 4;

/** Gives a pread engine its startMany (reader/async-batch.ts): lookups through async reads. */
export function attachAsyncReads(engine: MmcdbEngine | ClassicEngine, src: PreadSource, path: string): void {
  // No value is too big here: its length was checked against the file when its header was decoded.
  const t: ReadTuning = {
    blockSize: PAGE,
    readAheadBytes: 0,
    maxValueBytes: Number.MAX_SAFE_INTEGER,
    url: path,
    alloc: (n) => Buffer.allocUnsafe(n),
    // Read whole into a Buffer of its own (not cut from a shared slab: range-reads.ts): a
    // 1 MiB value then costs one buffer and no copy, not two buffers and a copy.
    wholeValueBytes: OWN_BUFFER_OVER,
  };
  const db = engine.format === 'mmcdb' ? new MmcdbRemote(engine.header, t) : new ClassicRemote(engine.toc, t);
  const slices = new Semaphore(SLICES_AT_ONCE);
  const startMany: StartSlice = async (keys, cancel) => {
    src.begin(); // the descriptor outlives a close() until this slice's reads are done
    try {
      // (An aborted slice stops at its first read: readRanges looks at `cancel` before each.)
      return await slices.run(async () => {
        const lookups = keys.map((k) => db.lookup(toBytes(k, 'key'), 'first'));
        const found = await runLookups(lookups, (ranges) => src.readRanges(ranges, cancel));
        return () => found.map((v) => (v.length === 0 ? undefined : asBuffer(v[0]!)));
      });
    } finally {
      src.end();
    }
  };
  (engine as Engine).startMany = startMany;
}

/** The value (a fresh copy, as every pread value is: t.alloc made it a Buffer). */
function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}
