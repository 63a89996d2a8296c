// The conformance cases (cases.ts) on every local backend: mmap (when the addon loads
// here), memory and pread.
import { openSync, type Reader } from '@mmcdb/core';
import { availableBackends } from '../helpers/backends.js';
import { defineConformance, type Adapter } from './cases.js';

/** The async Adapter over a local Reader. */
export function localAdapter(db: Reader): Adapter {
  const sync = async <T>(fn: () => T): Promise<T> => fn();
  return {
    format: db.format,
    size: () => sync(() => db.size),
    get: (k) => sync(() => db.get(k)),
    getAll: (k) => sync(() => db.getAll(k)),
    has: (k) => sync(() => db.has(k)),
    getString: (k) => sync(() => db.getString(k)),
    getMany: (keys) => sync(() => db.getMany(keys)),
    async *entries() {
      yield* db.entries();
    },
    metadata: () => sync(() => db.metadata),
    close: () => sync(() => db.close()),
  };
}

for (const backend of availableBackends()) {
  defineConformance(`${backend} backend`, async (file) => localAdapter(openSync(file, { backend })));
}
