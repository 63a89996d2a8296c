// The conformance cases on a remote sharded set of 7 shards over nginx, every shard read
// through ranges for everything (2 KiB first read, 512-byte blocks, no cache, one range
// per request) by openRemote as openShard: every lookup and scan of every shard crosses
// HTTP. Long (≈ 30 s of requests): `pnpm test:long`; remote-set.test.ts runs the defaults.
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { buildSharded } from '@mmcdb/core';
import { openRemote, openRemoteSet, type RemoteOptions } from '@mmcdb/core/remote';
import { tempDir } from '../helpers/tmp.js';
import { nginxUnavailable, startNginx, type Nginx } from '../remote/helpers/nginx.js';
import { defineConformance } from './cases.js';
import { readable, setAdapter } from './remote-set-adapter.js';

const rangesOnly: RemoteOptions = {
  initialBytes: 2048,
  blockSize: 512,
  cacheBytes: 0,
  multiRange: false,
  maxGapBytes: 0,
  scanBytes: 4096,
  readAheadBytes: 0,
};

const why = nginxUnavailable();
if (why !== undefined) {
  console.warn(`[conformance] remote sharded sets over nginx (ranges only) not tested: ${why}`);
} else {
  const root = tempDir('mmcdb-remote-sets-ranges-www-');
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx(root);
  });
  afterAll(() => nginx.stop());
  const built = new Map<string, Promise<void>>();
  defineConformance(
    'remote sharded set of 7 over nginx, ranges only (openShard: openRemote)',
    async (_file, fx) => {
      const id = fx.name;
      let p = built.get(id);
      if (p === undefined) {
        p = buildSharded(path.join(root, id), fx.records, { ...fx.options, shards: 7, workers: 2, fsync: false }).then(() =>
          readable(path.join(root, id)),
        );
        built.set(id, p);
      }
      await p;
      return setAdapter(await openRemoteSet(`${nginx.base}/${id}/`, { openShard: (u) => openRemote(u, rangesOnly) }));
    },
    { fileOrder: false },
  );
}
