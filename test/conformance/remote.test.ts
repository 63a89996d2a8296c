// The conformance cases (cases.ts) on the remote reader, over Debian's nginx as the
// origin: once with the defaults (small fixtures then come whole in the first request),
// once forced through ranges for everything (2 KiB first read, 512-byte blocks, no cache,
// one range per request) so that every lookup and scan crosses HTTP.
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openRemote, type RemoteOptions, type RemoteReader } from '@mmcdb/core/remote';
import { tempDir } from '../helpers/tmp.js';
import { nginxUnavailable, publish, startNginx, type Nginx } from '../remote/helpers/nginx.js';
import { defineConformance, type Adapter } from './cases.js';

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
    metadata: () => db.metadata,
    close: async () => db.close(),
  };
}

const why = nginxUnavailable();
if (why !== undefined) {
  console.warn(`[conformance] remote reader over nginx not tested: ${why}`);
} else {
  const root = tempDir('mmcdb-conformance-www-');
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx(root);
  });
  afterAll(() => nginx.stop());
  let published = 0;
  const viaNginx = (options: RemoteOptions) => async (file: string) => {
    const name = `${published++}-${path.basename(file)}`;
    publish(file, root, name);
    return remoteAdapter(await openRemote(`${nginx.base}/${name}`, options));
  };
  defineConformance('remote reader over nginx', viaNginx({}));
  defineConformance(
    'remote reader over nginx, ranges only',
    viaNginx({ initialBytes: 2048, blockSize: 512, cacheBytes: 0, multiRange: false, maxGapBytes: 0, scanBytes: 4096, readAheadBytes: 0 }),
  );
}
