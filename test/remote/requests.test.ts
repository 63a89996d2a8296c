// The cost model of docs/REMOTE.md, counted at the server: open = 1 request, a cold get
// ≤ 2 sequential requests (slots, record) and one more only for a value longer than the
// first read, 1 when its slot block is cached, getMany(1,000) in 2 sequential rounds,
// nothing fetched twice while the cache holds it. Upper bounds, both formats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mmcdbCodec, xxh64Split, hashReady } from '@mmcdb/core/internal';
import { openRemote } from '@mmcdb/core/remote';
import { tempDir } from '../helpers/tmp.js';
import { buildPair, keyOf, sample, valueFor } from './helpers/dbs.js';
import { startRangeServer, type RangeServer } from './helpers/range-server.js';

const N = 50_000;
const dir = tempDir('mmcdb-remote-req-');
let server: RangeServer;
const big = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 255));
const text = (v: Uint8Array | undefined) => (v === undefined ? undefined : Buffer.from(v).toString());

beforeAll(async () => {
  server = await startRangeServer();
  const dbs = await buildPair(dir, 'n', N, [['big', big]]);
  server.put('n.mmcdb', dbs.mmcdb);
  server.put('n.cdb', dbs.classic);
  const small = await buildPair(dir, 'small', 20);
  server.put('small.mmcdb', small.mmcdb);
  server.put('small.cdb', small.classic);
});
afterAll(() => server.close());

/** Requests and sequential rounds that `fn` made. */
async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; requests: number; rounds: number }> {
  const from = server.log.length;
  const result = await fn();
  return { result, requests: server.log.length - from, rounds: server.rounds(from) };
}

describe.each(['mmcdb', 'cdb'])('%s over HTTP: requests per operation', (ext) => {
  const url = () => server.url(`n.${ext}`);

  it('openRemote makes 1 request; a small file comes whole and needs no other', async () => {
    server.reset();
    const open = await counted(() => openRemote(url()));
    expect(open.requests).toBe(1);
    open.result.close();
    const small = await counted(() => openRemote(server.url(`small.${ext}`)));
    expect(small.requests).toBe(1);
    const reads = await counted(async () => [
      await small.result.getString(keyOf(3)),
      await small.result.get('absent'),
      await small.result.getMany([keyOf(1), keyOf(2)]),
    ]);
    expect(reads.result[0]).toBe(valueFor(3));
    expect(reads.requests).toBe(0);
    expect(small.result.stats().wholeFile).toBe(true);
  });

  it('a cold get is at most 2 sequential requests, a repeated one none', async () => {
    server.reset();
    server.latencyMs = 5;
    const db = await openRemote(url());
    for (const i of sample(N, 20, 7)) {
      const hit = await counted(() => db.getString(keyOf(i)));
      expect(hit.result).toBe(valueFor(i));
      expect(hit.requests).toBeLessThanOrEqual(2);
      expect(hit.rounds).toBeLessThanOrEqual(2);
      const again = await counted(() => db.getString(keyOf(i)));
      expect(again.requests).toBe(0);
    }
    const miss = await counted(() => db.get('absent-key'));
    expect(miss.result).toBeUndefined();
    expect(miss.requests).toBeLessThanOrEqual(2);
    expect(db.stats().cacheHits).toBeGreaterThan(0);
    db.close();
  });

  it('a value longer than the first read takes one more request', async () => {
    server.reset();
    const db = await openRemote(url());
    const r = await counted(() => db.get('big'));
    expect(Buffer.from(r.result!).equals(big)).toBe(true);
    expect(r.requests).toBeLessThanOrEqual(3);
    db.close();
  });

  it.each([
    ['multi-range requests', { multiRange: true }],
    ['one range per request, all in parallel', { multiRange: false, concurrency: 1024, maxGapBytes: 0, blockSize: 4096 }],
  ])('getMany of 1,000 random keys: 2 sequential rounds (%s), nothing fetched twice', async (_, options) => {
    server.reset();
    // Latency well above the time it takes this client to send one round's requests (new
    // connections included), so that "sequential" at the server means sequential.
    server.latencyMs = options.multiRange ? 60 : 400;
    const db = await openRemote(url(), { ...options, cacheBytes: 64 << 20 });
    const picks = sample(N, 1000, 11);
    const r = await counted(() => db.getMany([...picks.map(keyOf), 'absent-1', 'absent-2']));
    picks.forEach((i, j) => {
      expect(text(r.result[j])).toBe(valueFor(i));
    });
    expect(r.result.slice(-2)).toEqual([undefined, undefined]);
    expect(r.rounds).toBeLessThanOrEqual(2);
    if (options.multiRange) expect(r.requests).toBeLessThanOrEqual(16);
    // Every byte was asked for at most once, across all requests of the batch.
    const asked = server.log
      .slice(-r.requests)
      .flatMap((l) => l.ranges)
      .sort((a, b) => a[0] - b[0]);
    for (let k = 1; k < asked.length; k++) expect(asked[k]![0]).toBeGreaterThanOrEqual(asked[k - 1]![1]);
    // The same keys again: all cached.
    const again = await counted(() => db.getMany(picks.map(keyOf)));
    expect(again.requests).toBe(0);
    db.close();
  });

  it('concurrent gets of one key share their requests', async () => {
    server.reset();
    server.latencyMs = 20;
    const db = await openRemote(url());
    const r = await counted(() => Promise.all(Array.from({ length: 10 }, () => db.getString(keyOf(42)))));
    expect(new Set(r.result)).toEqual(new Set([valueFor(42)]));
    expect(r.requests).toBeLessThanOrEqual(2);
    db.close();
  });
});

describe('mmcdb: one request when the slot block is cached', () => {
  it('a key whose candidate slots lie in an already fetched block needs only its record', async () => {
    await hashReady;
    server.reset();
    const db = await openRemote(server.url('n.mmcdb'));
    const head = await (await fetch(server.url('n.mmcdb'), { headers: { Range: 'bytes=0-127' } })).arrayBuffer();
    const h = mmcdbCodec.decodeHeader(new Uint8Array(head), db.fileSize);
    const blockOf = (i: number) => {
      const home = mmcdbCodec.homeSlot(xxh64Split(Buffer.from(keyOf(i)), h.seed, { hi: 0, lo: 0 }).hi, h.homeSlots);
      const start = h.indexOffset + home * 16;
      const end = start + (h.maxProbe + 2) * 16 - 1;
      return Math.floor(start / 512) === Math.floor(end / 512) ? Math.floor(start / 512) : -1; // default blockSize
    };
    const a = 100;
    const b = Array.from({ length: N }, (_, i) => i).find(
      (i) => Math.abs(i - a) > 500 && blockOf(i) === blockOf(a) && blockOf(a) >= 0,
    )!;
    expect(b).toBeDefined();
    await db.get(keyOf(a));
    const r = await counted(() => db.getString(keyOf(b)));
    expect(r.result).toBe(valueFor(b));
    expect(r.requests).toBe(1);
    db.close();
  });
});
