// The conformance cases (cases.ts) on the remote reader over nginx, forced through ranges
// for everything (2 KiB first read, 512-byte blocks, no cache, one range per request) so
// that every lookup and scan crosses HTTP (~15 s: in pnpm test:long; the defaults run in
// remote.test.ts).
import * as path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { openRemote, type RemoteOptions } from '@mmcdb/core/remote';
import { tempDir } from '../helpers/tmp.js';
import { nginxUnavailable, publish, startNginx, type Nginx } from '../remote/helpers/nginx.js';
import { defineConformance } from './cases.js';
import { remoteAdapter } from './remote-adapter.js';

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
  defineConformance(
    'remote reader over nginx, ranges only',
    viaNginx({
      initialBytes: 2048,
      blockSize: 512,
      cacheBytes: 0,
      multiRange: false,
      maxGapBytes: 0,
      scanBytes: 4096,
      readAheadBytes: 0,
    }),
  );
}
