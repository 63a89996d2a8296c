// The async Adapter (cases.ts) over a RemoteReader, shared by the remote conformance
// files (a file of its own: importing a test file would run its suites again).
import type { RemoteReader } from '@mmcdb/core/remote';
import type { Adapter } from './cases.js';

/** The async Adapter over a RemoteReader. */
export function remoteAdapter(db: RemoteReader): Adapter {
  return {
    format: db.format,
    size: () => db.size,
    get: (k) => db.get(k),
    getAll: (k) => db.getAll(k),
    has: (k) => db.has(k),
    getString: (k) => db.getString(k),
    getMany: (keys) => db.getMany(keys),
    entries: () => db.entries(),
    forEach: (fn) => db.forEach(fn),
    metadata: () => db.metadata,
    close: async () => db.close(),
  };
}
