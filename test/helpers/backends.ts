import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openSync, type AsyncIo, type Backend } from '@mmcdb/core';
import { testHooks } from '@mmcdb/core/internal';

/**
 * Every backend the conformance suite runs against. mmap is included when the native
 * addon loads here; when it does not, the reason is printed (never silently skipped).
 */
export function availableBackends(): Backend[] {
  const list: Backend[] = ['memory', 'pread'];
  const probe = nativeStatus();
  if (probe.ok) list.unshift('mmap');
  else if (process.env['MMCDB_REQUIRE_NATIVE'] === '1')
    throw new Error(`MMCDB_REQUIRE_NATIVE=1 but the mmap backend is not available: ${probe.reason}`);
  else console.warn(`[conformance] mmap backend not tested: ${probe.reason}`);
  return list;
}

let cached: { ok: boolean; reason: string } | undefined;
function nativeStatus(): { ok: boolean; reason: string } {
  if (cached) return cached;
  // Opening a non-existent path through 'mmap' tells whether the addon loaded.
  try {
    openSync('/nonexistent/mmcdb-probe', { backend: 'mmap' });
    cached = { ok: true, reason: '' };
  } catch (err) {
    const e = err as { code?: string; message: string };
    cached = e.code === 'ERR_CDB_BACKEND' ? { ok: false, reason: e.message } : { ok: true, reason: '' };
  }
  return cached;
}

let asyncPaths: AsyncIo[] | undefined;
/**
 * The getManyAsync paths of the mmap backend this machine runs (docs/api.md §asyncIo):
 * 'threadpool' and 'willneed' wherever mmap is; 'uring' when the addon has it and the
 * kernel lets a ring start (else the reason is printed). [] without mmap.
 */
export function availableAsyncIo(): AsyncIo[] {
  if (asyncPaths !== undefined) return asyncPaths;
  asyncPaths = [];
  if (!availableBackends().includes('mmap')) return asyncPaths;
  asyncPaths.push('threadpool', 'willneed');
  const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/classic/small.tinycdb.cdb');
  testHooks.asyncIoOrder = ['uring', 'threadpool'];
  try {
    const db = openSync(probe, { backend: 'mmap' });
    if (db.asyncIo === 'uring') asyncPaths.unshift('uring');
    else console.warn(`[conformance] asyncIo 'uring' not tested: ${db.asyncFallbackReason}`);
    db.close();
  } finally {
    testHooks.asyncIoOrder = undefined;
  }
  return asyncPaths;
}
