// The conformance cases (cases.ts) on the remote reader, over Debian's nginx as the
// origin, with the defaults (small fixtures then come whole in the first request). The
// same forced through ranges for everything (every lookup and scan crosses HTTP) is
// remote-ranges.long.test.ts, in pnpm test:long.
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
  defineConformance('remote reader over nginx', viaNginx({}));
}
