// The rows of the cold-I/O benchmark (issue 17: "mmap, pread or io_uring?"): how each way of
// reading a value is configured. `pool` is UV_THREADPOOL_SIZE (4, libuv's default, unless
// given); `inflight` is how many getManyAsync batches are kept outstanding at once.
export const ANCHOR = 'tp4';

export const ROWS = [
  { id: 'sync', label: 'sync mmap get() loop', mode: 'sync' },
  { id: 'getMany', label: 'sync mmap getMany() loop', mode: 'getMany' },
  { id: 'tp4', label: 'getManyAsync threadpool, pool 4', mode: 'async', asyncIo: 'threadpool', pool: 4 },
  { id: 'tp16', label: 'getManyAsync threadpool, pool 16', mode: 'async', asyncIo: 'threadpool', pool: 16 },
  { id: 'tp64', label: 'getManyAsync threadpool, pool 64 (wider pool)', mode: 'async', asyncIo: 'threadpool', pool: 64 },
  { id: 'uring8', label: 'getManyAsync io_uring, queue depth 8', mode: 'async', asyncIo: 'uring', queueDepth: 8 },
  { id: 'uring32', label: 'getManyAsync io_uring, queue depth 32', mode: 'async', asyncIo: 'uring', queueDepth: 32 },
  { id: 'uring128', label: 'getManyAsync io_uring, queue depth 128', mode: 'async', asyncIo: 'uring', queueDepth: 128 },
  // 256: the default queue depth (packages/core/src/reader/async-io.ts).
  { id: 'uring256', label: 'getManyAsync io_uring, queue depth 256 (default)', mode: 'async', asyncIo: 'uring', queueDepth: 256 },
  { id: 'willneed', label: 'getManyAsync willneed', mode: 'async', asyncIo: 'willneed' },
  { id: 'auto', label: "getManyAsync asyncIo 'auto'", mode: 'async', asyncIo: 'auto' },
  { id: 'pread', label: 'pure-TS pread backend, getManyAsync', mode: 'async', backend: 'pread' },
];

/** The single-call rows: one getManyAsync(N) per path (the pool size does not matter for one call). */
export const ONE_CALL_ROWS = ['tp4', 'uring8', 'uring32', 'uring128', 'uring256', 'willneed', 'auto', 'pread'];

/**
 * The child's spec for a row. Threadpool rows keep at least one batch per pool thread in
 * flight (so a wider pool has work for every thread); every other row keeps 8.
 */
export function specOf(row, { db, probeDb, keys, count, batch, cache, warmup, one }) {
  const spec = {
    db,
    probeDb,
    keys,
    count,
    backend: row.backend ?? 'mmap',
    mode: one ? 'one' : row.mode,
    batch,
    inflight: Math.max(8, row.pool ?? 0),
    cache,
    warmup,
  };
  if (row.asyncIo !== undefined) spec.asyncIo = row.asyncIo;
  // A build without the asyncIo option has the threadpool path only: those two rows still run.
  if (row.asyncIo === 'threadpool' || row.asyncIo === 'auto') spec.asyncIoOptional = true;
  if (row.queueDepth !== undefined) spec.queueDepth = row.queueDepth;
  return spec;
}

/** The environment of a row's process: its pool size, and no inherited path choice. */
export function envOf(row) {
  const env = { ...process.env, UV_THREADPOOL_SIZE: String(row.pool ?? 4) };
  delete env.MMCDB_ASYNC_IO;
  delete env.MMCDB_BACKEND;
  return env;
}
