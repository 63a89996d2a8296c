// Shared by remote-set.test.ts and remote-set-ranges.long.test.ts: a sharded set as the
// conformance Adapter, and set folders made readable for nginx.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RemoteSetReader } from '@mmcdb/core/remote';
import type { Adapter } from './cases.js';

/** Folders readable by nginx's unprivileged workers. */
export function readable(p: string): void {
  fs.chmodSync(p, 0o755);
  for (const e of fs.readdirSync(p, { withFileTypes: true })) {
    const q = path.join(p, e.name);
    if (e.isDirectory()) readable(q);
    else fs.chmodSync(q, 0o644);
  }
}

export function setAdapter(r: RemoteSetReader): Adapter {
  return {
    format: r.format,
    size: () => r.size,
    get: (k) => r.get(k),
    getAll: (k) => r.getAll(k),
    has: (k) => r.has(k),
    getString: (k) => r.getString(k),
    getMany: (ks) => r.getMany(ks),
    entries: () => r.entries(),
    metadata: () => r.metadata,
    close: () => r.close(),
  };
}
