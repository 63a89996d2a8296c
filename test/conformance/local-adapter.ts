// The async Adapter (cases.ts) over a local Reader: a file, or a sharded set.
import type { Reader } from '@mmcdb/core';
import type { Adapter } from './cases.js';

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
    forEach: (fn) => sync(() => db.forEach(fn)),
    metadata: () => sync(() => db.metadata),
    close: () => sync(() => db.close()),
  };
}
