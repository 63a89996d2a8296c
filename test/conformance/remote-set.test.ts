// openRemoteSet() (docs/SHARDS.md §Remote) over Debian's nginx as the origin: the
// conformance cases on sets of 1 and 7 shards, each shard read by the real remote file
// reader (openRemote with its defaults; forced through ranges for everything in
// remote-set-ranges.long.test.ts); CURRENT or a manifest URL, lazy shards, and the errors: a missing set or
// an unreachable server is a RemoteError (ERR_CDB_REMOTE, with the status), a huge
// manifest ERR_CDB_FORMAT, a shard of another set ERR_CDB_SHARD.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSharded } from '@mmcdb/core';
import { openRemote, openRemoteSet, RemoteError } from '@mmcdb/core/remote';
import { tempDir } from '../helpers/tmp.js';
import { freePort, nginxUnavailable, startNginx, type Nginx } from '../remote/helpers/nginx.js';
import { defineConformance, type Fixture } from './cases.js';
import { readable, setAdapter } from './remote-set-adapter.js';

const why = nginxUnavailable();
if (why !== undefined) {
  console.warn(`[conformance] remote sharded sets over nginx not tested: ${why}`);
} else {
  const root = tempDir('mmcdb-remote-sets-www-');
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx(root);
  });
  afterAll(() => nginx.stop());

  const sets = new Map<string, Promise<string>>();
  /** The fixture as a set of `shards` shards under nginx's root; its URL (the set prefix). */
  function served(fx: Fixture, shards: number): Promise<string> {
    const id = `${fx.name}-${shards}`;
    let p = sets.get(id);
    if (p === undefined) {
      p = buildSharded(path.join(root, id), fx.records, { ...fx.options, shards, workers: 2, fsync: false }).then(() => {
        readable(path.join(root, id));
        return `${nginx.base}/${id}/`;
      });
      sets.set(id, p);
    }
    return p;
  }

  for (const shards of [1, 7]) {
    defineConformance(
      `remote sharded set of ${shards} over nginx`,
      async (_file, fx) => setAdapter(await openRemoteSet(await served(fx, shards))),
      { fileOrder: false },
    );
  }

  describe('openRemoteSet', () => {
    const recs: [string, string][] = Array.from({ length: 500 }, (_, i) => [`key:${i}`, `v${i}`]);
    const paths = (from: number) =>
      nginx
        .log()
        .slice(from)
        .map((l) => l.split(' ')[1]!);

    it('follows CURRENT, or opens a manifest URL; opens only the shards it uses, by ranges', async () => {
      const r = await buildSharded(path.join(root, 'lazy'), recs, { shards: 8, workers: 2, fsync: false });
      readable(path.join(root, 'lazy'));
      const before = nginx.log().length;
      const db = await openRemoteSet(`${nginx.base}/lazy`);
      expect(paths(before)).toEqual(['/lazy/CURRENT', `/lazy/v${r.set}/manifest.json`]);
      expect(await db.getString('key:42')).toBe('v42');
      expect(db.openShards).toBe(1);
      const shardRequests = nginx
        .log()
        .slice(before)
        .filter((l) => l.includes('/shard-'));
      expect(new Set(shardRequests.map((l) => l.split(' ')[1])).size).toBe(1);
      expect(shardRequests.every((l) => / 20[06] "bytes=/.test(l))).toBe(true); // Range requests, not the whole file
      expect(await db.size).toBe(500);
      await db.close();
      await expect(db.get('key:1')).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
      for (const url of [`${nginx.base}/lazy/v${r.set}/manifest.json`, `${nginx.base}/lazy/CURRENT`, `${nginx.base}/lazy/`]) {
        const direct = await openRemoteSet(url);
        expect((await direct.getMany(['key:1', 'nope', 'key:499'])).map((v) => v && Buffer.from(v).toString())).toEqual([
          'v1',
          undefined,
          'v499',
        ]);
        await direct.close();
        // openRemote() is for files: a set's manifest or CURRENT URL names openRemoteSet instead.
        if (!url.endsWith('/'))
          await expect(openRemote(url)).rejects.toThrow(/names a sharded set, not a file: open it with openRemoteSet/);
      }
    });

    it('a missing set or an unreachable server: RemoteError ERR_CDB_REMOTE with the status; a huge manifest: ERR_CDB_FORMAT', async () => {
      const missing = openRemoteSet(`${nginx.base}/nothing/`);
      await expect(missing).rejects.toBeInstanceOf(RemoteError);
      await expect(missing).rejects.toMatchObject({
        code: 'ERR_CDB_REMOTE',
        status: 404,
        message: /HTTP 404/,
        path: `${nginx.base}/nothing/CURRENT`,
      });
      // A presigned-style query string never reaches a message.
      await expect(openRemoteSet(`${nginx.base}/nothing/manifest.json?X-Signature=secret`)).rejects.toSatisfy(
        (e: RemoteError) => e.status === 404 && !e.message.includes('secret') && !String(e.path).includes('secret'),
      );
      const port = await freePort();
      await expect(openRemoteSet(`http://127.0.0.1:${port}/set/`, { retries: 0 })).rejects.toMatchObject({
        code: 'ERR_CDB_REMOTE',
        message: /the request failed/,
      });
      fs.mkdirSync(path.join(root, 'huge'));
      const huge = path.join(root, 'huge', 'manifest.json');
      fs.writeFileSync(huge, '');
      fs.truncateSync(huge, 64 << 20);
      readable(path.join(root, 'huge'));
      await expect(openRemoteSet(`${nginx.base}/huge/manifest.json`)).rejects.toMatchObject({
        code: 'ERR_CDB_FORMAT',
        message: /67108864 bytes, the limit is 33554432/,
      });
      const aborted = new AbortController();
      aborted.abort();
      await expect(openRemoteSet(`${nginx.base}/lazy/`, { signal: aborted.signal })).rejects.toMatchObject({
        code: 'ERR_CDB_ABORTED',
      });
    });

    it('a shard of another set is refused (ERR_CDB_SHARD); a bad openShard is a TypeError', async () => {
      const a = await buildSharded(path.join(root, 'mixA'), recs, { shards: 2, workers: 1, fsync: false });
      const b = await buildSharded(path.join(root, 'mixB'), recs, { shards: 2, workers: 1, fsync: false });
      fs.copyFileSync(path.join(b.dir, 'shard-00000-of-00002.mmcdb'), path.join(a.dir, 'shard-00000-of-00002.mmcdb'));
      readable(path.join(root, 'mixA'));
      const db = await openRemoteSet(`${nginx.base}/mixA/`);
      await expect(Promise.all(recs.map(([k]) => db.get(k)))).rejects.toMatchObject({
        code: 'ERR_CDB_SHARD',
        message: new RegExp(`of set ${b.set}`),
      });
      await db.close();
      await expect(openRemoteSet(`${nginx.base}/lazy/`, { openShard: 42 } as never)).rejects.toThrow(
        /openShard must be a function/,
      );
      await expect(openRemoteSet('not a url')).rejects.toThrow(TypeError);
    });
  });
}
