// createAssetHandler() over real HTTP on 127.0.0.1: every header rule, byte-exact bodies,
// bad paths — on every backend.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, openSync } from '@mmcdb/core';
import { buildAssets, createAssetHandler } from '@mmcdb/core/assets';
import { availableBackends } from '../../helpers/backends.js';
import { tempDir } from '../../helpers/tmp.js';
import { serve, type Reply } from './http-helpers.js';

const dir = tempDir();
const site = path.join(dir, 'site');
const db = path.join(dir, 'site.mmcdb');
const html = `<!doctype html><title>mmcdb</title>${'<p>hello static world</p>\n'.repeat(200)}`;
const js = `export const answer = 42;\n${'console.log("compress me");\n'.repeat(300)}`;
const png = randomBytes(5000);

beforeAll(async () => {
  fs.mkdirSync(path.join(site, 'assets'), { recursive: true });
  fs.mkdirSync(path.join(site, 'docs'), { recursive: true });
  fs.writeFileSync(path.join(site, 'index.html'), html);
  fs.writeFileSync(path.join(site, 'assets', 'app.js'), js);
  fs.writeFileSync(path.join(site, 'assets', 'logo.png'), png);
  fs.writeFileSync(path.join(site, 'docs', 'index.html'), '<h1>docs</h1>');
  fs.writeFileSync(path.join(site, 'space name.txt'), 'spaced');
  fs.writeFileSync(path.join(site, 'empty.txt'), '');
  await buildAssets(site, db, { precompress: ['br', 'gzip'] });
});

describe.each(availableBackends())('asset handler (%s backend)', (backend) => {
  let get: (p: string, h?: Record<string, string>, m?: string) => Promise<Reply>;
  beforeAll(async () => {
    get = await serve(createAssetHandler(openSync(db, { backend }), { cacheControl: 'public, max-age=60' }));
  });

  it('GET serves byte-exact bodies with type, length, ETag, Last-Modified, Cache-Control', async () => {
    const r = await get('/assets/logo.png');
    expect(r.status).toBe(200);
    expect(r.body.equals(png)).toBe(true);
    expect(r.headers['content-type']).toBe('image/png');
    expect(r.headers['content-length']).toBe('5000');
    expect(r.headers['etag']).toMatch(/^"[0-9a-f]{16}"$/);
    expect(new Date(r.headers['last-modified']!).getTime()).toBe(
      Math.floor(fs.statSync(path.join(site, 'assets', 'logo.png')).mtimeMs / 1000) * 1000,
    );
    expect(r.headers['cache-control']).toBe('public, max-age=60');
    expect(r.headers['vary']).toBeUndefined(); // random bytes do not compress: no variants
    expect((await get('/empty.txt')).body.length).toBe(0);
    expect((await get('/space%20name.txt')).body.toString()).toBe('spaced');
  });

  it('HEAD sends the headers without a body', async () => {
    const r = await get('/index.html', {}, 'HEAD');
    expect(r.status).toBe(200);
    expect(r.headers['content-length']).toBe(String(Buffer.byteLength(html)));
    expect(r.body.length).toBe(0);
  });

  it('index.html for folders; a folder without its slash redirects', async () => {
    expect((await get('/')).body.toString()).toBe(html);
    expect((await get('/docs/')).body.toString()).toBe('<h1>docs</h1>');
    const r = await get('/docs?x=1');
    expect(r.status).toBe(301);
    expect(r.headers['location']).toBe('/docs/?x=1');
  });

  it('If-None-Match → 304; If-Modified-Since → 304; a stale tag → 200', async () => {
    const first = await get('/index.html');
    const etag = first.headers['etag']!;
    const notModified = await get('/index.html', { 'If-None-Match': `"nope", ${etag}` });
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    expect(notModified.headers['etag']).toBe(etag);
    expect((await get('/index.html', { 'If-None-Match': '"stale"' })).status).toBe(200);
    expect((await get('/index.html', { 'If-Modified-Since': first.headers['last-modified']! })).status).toBe(304);
    expect((await get('/index.html', { 'If-Modified-Since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(200);
  });

  it('Accept-Encoding picks br, then gzip, with Vary; the bodies decompress to the file', async () => {
    const br = await get('/assets/app.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(zlib.brotliDecompressSync(br.body).toString()).toBe(js);
    expect(Number(br.headers['content-length'])).toBeLessThan(js.length);
    const gz = await get('/assets/app.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(zlib.gunzipSync(gz.body).toString()).toBe(js);
    const noBr = await get('/assets/app.js', { 'Accept-Encoding': 'br;q=0, gzip;q=0.5' });
    expect(noBr.headers['content-encoding']).toBe('gzip');
    const plain = await get('/assets/app.js');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(js);
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('Range: single ranges → 206; suffix and open ranges; unsatisfiable → 416', async () => {
    const r = await get('/assets/logo.png', { Range: 'bytes=10-19', 'Accept-Encoding': 'br' });
    expect(r.status).toBe(206);
    expect(r.headers['content-range']).toBe('bytes 10-19/5000');
    expect(r.headers['content-encoding']).toBeUndefined();
    expect(r.body.equals(png.subarray(10, 20))).toBe(true);
    expect((await get('/assets/logo.png', { Range: 'bytes=-100' })).body.equals(png.subarray(4900))).toBe(true);
    expect((await get('/assets/logo.png', { Range: 'bytes=4990-' })).body.equals(png.subarray(4990))).toBe(true);
    const js206 = await get('/assets/app.js', { Range: 'bytes=0-5', 'Accept-Encoding': 'br' });
    expect(js206.body.toString()).toBe(js.slice(0, 6));
    const bad = await get('/assets/logo.png', { Range: 'bytes=5000-6000' });
    expect(bad.status).toBe(416);
    expect(bad.headers['content-range']).toBe('bytes */5000');
    expect((await get('/assets/logo.png', { Range: 'bytes=0-1,5-6' })).status).toBe(200); // multiple ranges: full body
  });

  it('404 for missing paths, 405 for other methods', async () => {
    expect((await get('/nope.html')).status).toBe(404);
    const post = await get('/index.html', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
  });

  it('no path reaches outside the database or its reserved keys', async () => {
    for (const bad of [
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..',
      '/../index.html',
      '/assets%2Fapp.js',
      '/a%00b',
      '/%00mindex.html',
      '/%E0%A4%A',
      '/assets\\..\\index.html',
    ]) {
      expect([400, 404], bad).toContain((await get(bad)).status);
    }
    // ".." inside the root is resolved, like a browser would.
    expect((await get('/assets/../index.html')).body.toString()).toBe(html);
    expect((await get('//assets//app.js')).status).toBe(200);
  });
});

describe('as middleware', () => {
  it('passes missing paths and other methods to next()', async () => {
    const handler = createAssetHandler(db);
    const get = await serve((req, res) =>
      handler(req, res, () => {
        res.writeHead(418);
        res.end('next');
      }),
    );
    expect((await get('/missing')).status).toBe(418);
    expect((await get('/index.html', {}, 'DELETE')).status).toBe(418);
    expect((await get('/index.html')).status).toBe(200);
  });

  it('refuses a database that is not an asset database, and a missing file', async () => {
    const plain = path.join(dir, 'plain.mmcdb');
    await build(plain, [['/index.html', 'not an asset db']]);
    expect(() => createAssetHandler(plain)).toThrow(/not an asset database/);
    expect(() => createAssetHandler(path.join(dir, 'nope.mmcdb'))).toThrow(/ENOENT/);
  });
});
