// Bad servers and changing files (docs/REMOTE.md §Errors, §Consistency): each
// misbehaviour of the test origin ends in the documented CdbError — quickly, with the
// status or cause — or is survived by a bounded retry; a file replaced while open is
// ERR_CDB_CHANGED, never a wrong or mixed value, until reopen().
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openRemote, type RemoteOptions } from '@mmcdb/core/remote';
import { tempDir } from '../helpers/tmp.js';
import { buildPair, keyOf, valueFor } from './helpers/dbs.js';
import { startRangeServer, type Fault, type RangeServer } from './helpers/range-server.js';

const dir = tempDir('mmcdb-remote-err-');
let server: RangeServer;
let v1: { mmcdb: Buffer; classic: Buffer };
let v2: { mmcdb: Buffer; classic: Buffer };
const fast: RemoteOptions = { retries: 2, retryDelayMs: 1 };
/** Keys all over the file: a batch of them always needs requests. */
const spread = Array.from({ length: 300 }, (_, i) => keyOf(i * 16));

beforeAll(async () => {
  server = await startRangeServer();
  v1 = await buildPair(dir, 'v1', 5000);
  v2 = await buildPair(dir, 'v2', 5000, [['new', new TextEncoder().encode('only in v2')]]);
});
afterAll(() => server.close());

/** Faults on requests after the first (open succeeds, the reads misbehave). */
const afterOpen =
  (fault: Fault, times = Infinity) =>
  (_: unknown, n: number) =>
    n >= 1 && n <= times ? fault : undefined;

describe.each(['mmcdb', 'cdb'] as const)('%s', (ext) => {
  const file = () => (ext === 'mmcdb' ? v1.mmcdb : v1.classic);
  const url = () => server.url(`db.${ext}`);
  beforeEach(() => {
    server.reset();
    server.put(`db.${ext}`, file());
  });

  it('404 at open: ERR_CDB_REMOTE with the status, the URL without its query', async () => {
    const err = await openRemote(server.url(`missing.${ext}?X-Amz-Signature=secret`), fast).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_CDB_REMOTE', status: 404 });
    expect(String((err as Error).message)).not.toContain('secret');
  });

  it('a server that ignores Range: refused for a large file, the small file taken whole', async () => {
    server.fault = () => ({ kind: 'ignore-range' });
    await expect(openRemote(url(), { ...fast, maxWholeFileBytes: 64 * 1024 })).rejects.toMatchObject({
      code: 'ERR_CDB_REMOTE',
      status: 200,
    });
    const db = await openRemote(url(), fast); // default limit 8 MiB: this file is taken whole
    expect(db.stats().wholeFile).toBe(true);
    const before = server.log.length;
    expect(await db.getString(keyOf(7))).toBe(valueFor(7));
    expect(server.log.length).toBe(before);
  });

  it('Range ignored after open: ERR_CDB_REMOTE', async () => {
    const db = await openRemote(url(), fast);
    server.fault = afterOpen({ kind: 'ignore-range' });
    await expect(db.get(keyOf(1))).rejects.toMatchObject({ code: 'ERR_CDB_REMOTE', status: 200 });
  });

  it('500 every time: ERR_CDB_REMOTE 500 after the bounded retries', async () => {
    const db = await openRemote(url(), fast);
    server.fault = afterOpen({ kind: 'status', status: 500 });
    const before = server.log.length;
    await expect(db.get(keyOf(1))).rejects.toMatchObject({ code: 'ERR_CDB_REMOTE', status: 500 });
    expect(server.log.length - before).toBe(3); // 1 + retries
  });

  it('503 twice, then fine: the read succeeds, the retries counted', async () => {
    const db = await openRemote(url(), fast);
    server.fault = afterOpen({ kind: 'status', status: 503, retryAfter: 0 }, 2);
    expect(await db.getString(keyOf(5))).toBe(valueFor(5));
    expect(db.stats().retries).toBe(2);
  });

  it('truncated bodies and reset connections are retried, then reported with their cause', async () => {
    for (const kind of ['truncate', 'reset'] as const) {
      server.reset();
      server.put(`db.${ext}`, file());
      const db = await openRemote(url(), fast);
      server.fault = afterOpen({ kind }, 1);
      expect(await db.getString(keyOf(9))).toBe(valueFor(9));
      server.fault = afterOpen({ kind });
      const err = await db.get(keyOf(10)).catch((e: unknown) => e);
      expect(err, kind).toMatchObject({ code: 'ERR_CDB_REMOTE' });
      expect((err as Error).message).toMatch(/attempts/);
      expect((err as Error).cause).toBeDefined();
    }
  });

  it('a hanging server: ERR_CDB_REMOTE after timeoutMs; an AbortSignal ends a read at once', async () => {
    const db = await openRemote(url(), { ...fast, timeoutMs: 300 });
    server.fault = afterOpen({ kind: 'hang' });
    const t0 = Date.now();
    await expect(db.get(keyOf(1))).rejects.toMatchObject({ code: 'ERR_CDB_REMOTE', message: expect.stringMatching(/timeoutMs/) });
    expect(Date.now() - t0).toBeLessThan(3000);
    const ac = new AbortController();
    const p = db.get(keyOf(2), { signal: ac.signal });
    setTimeout(() => ac.abort(), 50);
    await expect(p).rejects.toMatchObject({ code: 'ERR_CDB_ABORTED' });
    db.close();
  });

  it('close() during a read: ERR_CDB_CLOSED, later calls too', async () => {
    const db = await openRemote(url(), fast);
    server.fault = afterOpen({ kind: 'hang' });
    const p = db.get(keyOf(3));
    setTimeout(() => db.close(), 30);
    await expect(p).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
    await expect(db.get(keyOf(3))).rejects.toMatchObject({ code: 'ERR_CDB_CLOSED' });
  });

  it.each([
    ['Content-Encoding on a range', { kind: 'gzip' }, 'ERR_CDB_REMOTE'],
    ['a Content-Range for other bytes', { kind: 'wrong-range' }, 'ERR_CDB_REMOTE'],
    ['a body longer than its range', { kind: 'extra-bytes' }, 'ERR_CDB_REMOTE'],
    ['a Content-Range with another total', { kind: 'wrong-total' }, 'ERR_CDB_CHANGED'],
  ] as const)('%s is refused (%s)', async (_, fault, code) => {
    const db = await openRemote(url(), fast);
    server.fault = afterOpen(fault as Fault);
    await expect(db.get(keyOf(11))).rejects.toMatchObject({ code });
  });

  it.each([
    ['If-Match (412)', {}],
    ['the ETag of the response', { ifMatch: false }],
  ])('the file replaced while open: ERR_CDB_CHANGED via %s, until reopen()', async (_, options) => {
    const db = await openRemote(url(), { ...fast, ...options });
    expect(await db.getString(keyOf(1))).toBe(valueFor(1));
    server.put(`db.${ext}`, ext === 'mmcdb' ? v2.mmcdb : v2.classic);
    // (Answers from cached blocks of the old version are consistent; these keys need requests.)
    await expect(db.getMany(spread)).rejects.toMatchObject({ code: 'ERR_CDB_CHANGED' });
    const before = server.log.length;
    await expect(db.get(keyOf(1))).rejects.toMatchObject({ code: 'ERR_CDB_CHANGED' }); // even a cached key
    expect(server.log.length).toBe(before);
    expect(await db.reopen()).toBe(true);
    expect(await db.getString('new')).toBe('only in v2');
    expect(await db.getString(keyOf(1))).toBe(valueFor(1));
    expect(await db.reopen()).toBe(false); // same version again
    expect(db.stats().reopens).toBe(1);
  });

  it('pinned by Last-Modified when the ETag is weak or missing', async () => {
    for (const etag of ['weak', 'none'] as const) {
      server.reset();
      server.etag = etag;
      server.put(`db.${ext}`, file());
      const db = await openRemote(url(), { ...fast, ifMatch: false });
      expect(db.version.etag).toBeUndefined();
      expect(db.version.lastModified).toBeDefined();
      await db.get(keyOf(2));
      server.put(`db.${ext}`, ext === 'mmcdb' ? v2.mmcdb : v2.classic);
      await expect(db.getMany(spread), etag).rejects.toMatchObject({ code: 'ERR_CDB_CHANGED' });
    }
  });

  it('a shorter file under the same URL: 416 is a change', async () => {
    const db = await openRemote(url(), { ...fast, ifMatch: false });
    server.etag = 'none';
    server.lastModified = false;
    server.put(`db.${ext}`, file().subarray(0, 3000));
    await expect(db.getMany(Array.from({ length: 50 }, (_, i) => keyOf(i * 97)))).rejects.toMatchObject({
      code: 'ERR_CDB_CHANGED',
    });
  });

  it.each(['whole', 'first-only', '416'] as const)(
    'a server that answers several ranges with %s: getMany falls back to one range per request',
    async (multi) => {
      server.multi = multi;
      const db = await openRemote(url(), { ...fast, maxGapBytes: 0, blockSize: 512 }); // small blocks: gaps between the ranges
      const keys = Array.from({ length: 200 }, (_, i) => keyOf(i * 23));
      const got = await db.getMany(keys);
      got.forEach((v, i) => {
        expect(new TextDecoder().decode(v)).toBe(valueFor(i * 23));
      });
      expect(db.stats().multiRange).toBe(false);
    },
  );

  it('a file that is not a database: ERR_CDB_FORMAT, as from a local open', async () => {
    server.put(`junk.${ext}`, new TextEncoder().encode('<html>not a database</html>'.repeat(100)));
    await expect(openRemote(server.url(`junk.${ext}`), fast)).rejects.toMatchObject({ code: 'ERR_CDB_FORMAT' });
    server.put(`empty.${ext}`, new Uint8Array(0));
    await expect(openRemote(server.url(`empty.${ext}`), fast)).rejects.toMatchObject({ code: 'ERR_CDB_FORMAT' });
  });
});

describe('options', () => {
  it('bad options are RangeError / TypeError', async () => {
    await expect(openRemote('ftp://x/y')).rejects.toThrow(TypeError);
    await expect(openRemote('not a url')).rejects.toThrow(TypeError);
    await expect(openRemote('http://127.0.0.1:1/x', { blockSize: 1000 })).rejects.toThrow(RangeError);
    await expect(openRemote('http://127.0.0.1:1/x', { concurrency: 0 })).rejects.toThrow(RangeError);
  });

  it('a presigned URL is a plain URL: its query string goes with every request, never into messages', async () => {
    server.reset();
    server.put('signed.mmcdb', v1.mmcdb);
    const url = `${server.url('signed.mmcdb')}?X-Amz-Credential=AKIA&X-Amz-Signature=deadbeef`;
    const db = await openRemote(url);
    expect(await db.getString(keyOf(8))).toBe(valueFor(8));
    expect(server.log.every((l) => l.path.endsWith('?X-Amz-Credential=AKIA&X-Amz-Signature=deadbeef'))).toBe(true);
    expect(db.stats().url).not.toContain('deadbeef');
    server.put('signed.mmcdb', v2.mmcdb);
    const err = await db.getMany(spread).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_CDB_CHANGED' });
    expect(String(err)).not.toContain('deadbeef');
  });

  it('headers and a custom fetch are used for every request', async () => {
    server.reset();
    server.put('h.mmcdb', v1.mmcdb);
    const seen: string[] = [];
    const db = await openRemote(server.url('h.mmcdb'), {
      headers: { Authorization: 'Bearer t0ken' },
      fetch: (u, init) => {
        seen.push(new Headers(init.headers).get('authorization') ?? 'none');
        return fetch(u, init);
      },
    });
    await db.get(keyOf(4));
    expect(seen.length).toBeGreaterThanOrEqual(2);
    expect(new Set(seen)).toEqual(new Set(['Bearer t0ken']));
  });
});

describe('a server that ignores Range on a huge file', () => {
  it.each([
    ['with a Content-Length', true],
    ['chunked, without one', false],
  ])('%s: refused at once, the body not downloaded', async (_, withLength) => {
    let sent = 0;
    let closed = false;
    const endless = http.createServer((_req, res) => {
      res.writeHead(200, withLength ? { 'Content-Length': String(20 * 2 ** 30), ETag: '"big"' } : { ETag: '"big"' });
      const chunk = Buffer.alloc(64 * 1024, 1);
      const timer = setInterval(() => {
        if (!res.destroyed) sent += chunk.length;
        res.write(chunk);
      }, 2);
      res.on('close', () => {
        closed = true;
        clearInterval(timer);
      });
    });
    await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(endless.address() as AddressInfo).port}/huge.mmcdb`;
      const t0 = Date.now();
      await expect(openRemote(url, { maxWholeFileBytes: 1 << 20, retries: 0 })).rejects.toMatchObject({
        code: 'ERR_CDB_REMOTE',
        status: 200,
      });
      expect(Date.now() - t0).toBeLessThan(5000);
      await new Promise((r) => setTimeout(r, 100));
      expect(closed).toBe(true); // the reader hung up…
      expect(sent).toBeLessThan(8 << 20); // …long before 20 GiB
    } finally {
      endless.closeAllConnections();
      await new Promise<void>((r) => endless.close(() => r()));
    }
  });
});
