// @mmcdb/core/remote in a real browser: Debian's headless Chromium (driven by
// playwright-core, never a downloaded browser) loads a page from one loopback origin that
// imports the built entry as plain ES modules (packages/core/dist, xxhash-wasm through an
// import map — no bundler), opens databases on another origin (nginx with CORS headers)
// and checks hits, misses, binary values and getMany. The test reads the page's results;
// nginx's log shows that the browser sent no preflight (no If-Match, no multi-range).
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { tempDir } from '../helpers/tmp.js';
import { nginxUnavailable, startNginx, type Nginx } from './helpers/nginx.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p));
const why =
  CHROMIUM === undefined ? 'Debian chromium is not installed (apt-get install chromium; .ci/run does)' : nginxUnavailable();
if (why !== undefined) console.warn(`[remote] browser test not run: ${why}`);

const dir = tempDir('mmcdb-browser-db-');
const profile = tempDir('mmcdb-browser-profile-');
const binary = Uint8Array.from({ length: 700 }, (_, i) => (i * 37 + 11) & 255);
const records: Array<[string | Uint8Array, string | Uint8Array]> = [
  ...Array.from({ length: 4000 }, (_, i): [string, string] => [`key:${i}`, `value ${i} ${'é'.repeat(i % 7)}`]),
  ['binary', binary],
  [Uint8Array.of(0, 1, 2, 255), 'binary key'],
];

/** The page's script: every check's outcome goes to window.results (no assertions in the page). */
const PAGE = (dbBase: string) => `<!doctype html>
<meta charset="utf-8">
<script type="importmap">{ "imports": { "xxhash-wasm": "/vendor/xxhash-wasm.js" } }</script>
<script type="module">
import { openRemote, isCdbError } from '/core/remote.js';
const out = {};
try {
  for (const name of ['db.mmcdb', 'db.cdb']) {
    const db = await openRemote('${dbBase}/' + name);
    const r = { format: db.format, size: await db.size, metadata: await db.metadata };
    r.hit = await db.getString('key:1234');
    r.unicode = await db.getString('key:3');
    r.miss = (await db.get('no such key')) ?? null;
    r.has = [await db.has('key:0'), await db.has('nope')];
    r.binary = Array.from(await db.get('binary'));
    r.binaryKey = await db.getString(new Uint8Array([0, 1, 2, 255]));
    const keys = Array.from({ length: 500 }, (_, i) => 'key:' + ((i * 7) % 4000)).concat(['absent']);
    const many = await db.getMany(keys);
    const dec = new TextDecoder();
    r.many = many.map((v) => (v === undefined ? null : dec.decode(v)));
    const s = db.stats();
    r.stats = { requests: s.requests, multiRange: s.multiRange, wholeFile: s.wholeFile };
    db.close();
    try { await db.get('key:1'); } catch (e) { r.closed = isCdbError(e, 'ERR_CDB_CLOSED'); }
    out[name] = r;
  }
} catch (e) {
  out.error = String(e && e.stack || e);
}
window.results = out;
</script>`;

/** What the page reports per database (see PAGE). */
interface PageResult {
  format: string;
  size: number;
  metadata: unknown;
  hit: string;
  unicode: string;
  miss: null;
  has: boolean[];
  binary: number[];
  binaryKey: string;
  many: Array<string | null>;
  stats: { requests: number; multiRange: boolean; wholeFile: boolean };
  closed: boolean;
}

describe.skipIf(why !== undefined)('the browser entry in headless Chromium', () => {
  let nginx: Nginx;
  let page: http.Server;
  let pageBase = '';
  beforeAll(async () => {
    await build(path.join(dir, 'db.mmcdb'), records, { metadata: { from: 'browser test' } });
    await build(path.join(dir, 'db.cdb'), records, { format: 'classic' });
    nginx = await startNginx(dir, { cors: true });
    const xxhash = path.join(
      path.dirname(createRequire(path.join(root, 'packages/core/package.json')).resolve('xxhash-wasm')),
      '../esm/xxhash-wasm.js',
    );
    const dist = path.join(root, 'packages/core/dist');
    page = http.createServer((req, res) => {
      const url = req.url ?? '/';
      const js = (file: string) => {
        if (!fs.existsSync(file)) return res.writeHead(404).end();
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(fs.readFileSync(file));
      };
      if (url === '/') return res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE(nginx.base));
      if (url === '/vendor/xxhash-wasm.js') return js(xxhash);
      if (url.startsWith('/core/') && url.endsWith('.js') && !url.includes('..'))
        return js(path.join(dist, url.slice('/core/'.length)));
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => page.listen(0, '127.0.0.1', r));
    pageBase = `http://127.0.0.1:${(page.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await nginx?.stop();
    await new Promise<void>((r) => (page ? page.close(() => r()) : r()));
  });

  it('opens both formats by URL from another origin: hits, misses, binary values, getMany', async () => {
    const { chromium } = await import('playwright-core');
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM!,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    let results: Record<string, PageResult> & { error?: string };
    try {
      const tab = await context.newPage();
      const consoleLines: string[] = [];
      tab.on('console', (m) => consoleLines.push(m.text()));
      await tab.goto(`${pageBase}/`);
      await tab.waitForFunction(() => (globalThis as unknown as { results?: unknown }).results !== undefined, undefined, {
        timeout: 60_000,
      });
      results = await tab.evaluate(() => (globalThis as unknown as { results: typeof results }).results);
      expect(results['error'], consoleLines.join('\n')).toBeUndefined();
    } finally {
      await context.close();
    }
    for (const name of ['db.mmcdb', 'db.cdb']) {
      const r = results[name]!;
      expect(r.format, name).toBe(name.endsWith('.cdb') ? 'classic' : 'mmcdb');
      expect(r.size).toBe(records.length);
      expect(r.metadata).toEqual(name.endsWith('.cdb') ? undefined : { from: 'browser test' });
      expect(r.hit).toBe('value 1234 ' + 'é'.repeat(1234 % 7));
      expect(r.unicode).toBe('value 3 ééé');
      expect(r.miss).toBeNull(); // the page writes undefined as null
      expect(r.has).toEqual([true, false]);
      expect(r.binary).toEqual(Array.from(binary));
      expect(r.binaryKey).toBe('binary key');
      expect(r.many.slice(0, 500)).toEqual(
        Array.from({ length: 500 }, (_, i) => `value ${(i * 7) % 4000} ${'é'.repeat(((i * 7) % 4000) % 7)}`),
      );
      expect(r.many[500]).toBeNull();
      expect(r.stats).toMatchObject({ multiRange: false, wholeFile: false });
      expect(r.closed).toBe(true);
    }
    // Simple CORS requests only: no preflight, no If-Match, one range per request.
    const log = nginx.log();
    expect(log.length).toBeGreaterThan(4);
    expect(log.filter((l) => l.startsWith('OPTIONS'))).toEqual([]);
    expect(log.filter((l) => !l.endsWith('"-"'))).toEqual([]);
    expect(log.filter((l) => l.includes(','))).toEqual([]);
  });
});
