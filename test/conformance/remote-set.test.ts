// openRemoteSet() (docs/SHARDS.md §Remote): a set served by a local HTTP server on
// 127.0.0.1, its shards opened lazily through `openShard`. Until @mmcdb/core/remote's
// openRemote() is on this branch, shards are read by a stand-in that fetches the whole
// shard file and reads it locally (the set logic — CURRENT, manifest, routing, grouping,
// checks — is what this tests); wire openRemote in as openShard and the same cases run
// over HTTP ranges.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSharded, openRemoteSet, openSync, type RemoteShard } from '@mmcdb/core';
import { tempDir } from '../helpers/tmp.js';
import { defineConformance, type Adapter, type Fixture } from './cases.js';

const dir = tempDir('mmcdb-remote-sets-');
const requests: string[] = [];
let base = '';
const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  requests.push(url.pathname);
  if (url.pathname === '/huge/manifest.json') {
    res.writeHead(200, { 'content-length': String(64 << 20) });
    res.end();
    return;
  }
  const file = path.join(dir, decodeURIComponent(url.pathname));
  if (!file.startsWith(dir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
    res.writeHead(404).end();
    return;
  }
  const body = fs.readFileSync(file);
  res.writeHead(200, { 'content-length': String(body.length) }).end(body);
});

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

let files = 0;
/** The stand-in for openRemote(): the whole shard over HTTP, read locally. */
async function wholeFileShard(url: string): Promise<RemoteShard> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url}`);
  const copy = path.join(dir, `.fetched-${files++}`);
  fs.writeFileSync(copy, Buffer.from(await res.arrayBuffer()));
  const db = openSync(copy, { backend: 'memory' });
  const sync = async <T>(fn: () => T): Promise<T> => fn();
  return {
    format: db.format,
    fileSize: db.stats().fileSize,
    get size() {
      return sync(() => db.size);
    },
    get metadata() {
      return sync(() => db.metadata);
    },
    get: (k) => sync(() => db.get(k)),
    getAll: (k) => sync(() => db.getAll(k)),
    has: (k) => sync(() => db.has(k)),
    getMany: (ks) => sync(() => db.getMany(ks)),
    async *entries() {
      yield* db.entries();
    },
    close: () => db.close(),
  };
}

const sets = new Map<string, Promise<string>>();
function served(fx: Fixture, shards: number): Promise<string> {
  const id = `${fx.name}-${shards}`;
  let p = sets.get(id);
  if (p === undefined) {
    p = buildSharded(path.join(dir, id), fx.records, { ...fx.options, shards, workers: 2, fsync: false }).then(
      () => `${base}/${id}/`,
    );
    sets.set(id, p);
  }
  return p;
}

async function adapter(url: string): Promise<Adapter> {
  const r = await openRemoteSet(url, { openShard: wholeFileShard });
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

for (const shards of [1, 7]) {
  defineConformance(`remote sharded set of ${shards}`, async (_file, fx) => adapter(await served(fx, shards)), {
    fileOrder: false,
  });
}

describe('openRemoteSet', () => {
  const recs: [string, string][] = Array.from({ length: 500 }, (_, i) => [`key:${i}`, `v${i}`]);

  it('follows CURRENT, or opens a manifest URL; opens only the shards it uses', async () => {
    const r = await buildSharded(path.join(dir, 'lazy'), recs, { shards: 8, workers: 2, fsync: false });
    requests.length = 0;
    const db = await openRemoteSet(`${base}/lazy`, { openShard: wholeFileShard });
    expect(requests).toEqual(['/lazy/CURRENT', `/lazy/v${r.set}/manifest.json`]);
    expect(await db.getString('key:42')).toBe('v42');
    expect(db.openShards).toBe(1);
    expect(requests.filter((p) => p.includes('shard-'))).toHaveLength(1);
    expect(await db.size).toBe(500);
    await db.close();
    await expect(db.get('key:1')).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
    const direct = await openRemoteSet(`${base}/lazy/v${r.set}/manifest.json`, { openShard: wholeFileShard });
    expect((await direct.getMany(['key:1', 'nope', 'key:499'])).map((v) => v && Buffer.from(v).toString())).toEqual([
      'v1',
      undefined,
      'v499',
    ]);
    await direct.close();
  });

  it('a missing set, a huge manifest, a shard of another set: CdbErrors naming the URL', async () => {
    await expect(openRemoteSet(`${base}/nothing/`, { openShard: wholeFileShard })).rejects.toMatchObject({
      code: 'ERR_CDB_SHARD',
      message: /cannot fetch CURRENT: HTTP 404/,
    });
    await expect(openRemoteSet(`${base}/huge/manifest.json`, { openShard: wholeFileShard })).rejects.toMatchObject({
      code: 'ERR_CDB_FORMAT',
      message: /67108864 bytes, the limit is 33554432/,
    });
    const a = await buildSharded(path.join(dir, 'mixA'), recs, { shards: 2, workers: 1, fsync: false });
    const b = await buildSharded(path.join(dir, 'mixB'), recs, { shards: 2, workers: 1, fsync: false });
    fs.copyFileSync(path.join(b.dir, 'shard-00000-of-00002.mmcdb'), path.join(a.dir, 'shard-00000-of-00002.mmcdb'));
    const db = await openRemoteSet(`${base}/mixA/`, { openShard: wholeFileShard });
    await expect(Promise.all(recs.map(([k]) => db.get(k)))).rejects.toMatchObject({
      code: 'ERR_CDB_SHARD',
      message: new RegExp(`of set ${b.set}`),
    });
    await db.close();
    await expect(openRemoteSet(`${base}/lazy/`, {} as never)).rejects.toThrow(/openShard must be a function/);
  });
});
