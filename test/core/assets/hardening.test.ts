// What hostile and careless use of the asset handler found (docs/RELIABILITY.md §Hostile
// use): redirects that crashed the process or left a mount, dot-files, HTTP semantics
// (If-Range, per-coding ETags, nosniff, SVG CSP, absolute-form targets, the Range unit,
// future If-Modified-Since), header options, what createAssetHandler() accepts, MIME
// types — and a fuzz run of random request targets against the bare handler, with no
// try/catch around it: a throw would be an uncaught exception in the server.
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import connect from 'connect';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSync, openWatched } from '@mmcdb/core';
import { buildAssets, createAssetHandler } from '@mmcdb/core/assets';
import { tempDir } from '../../helpers/tmp.js';
import { serve, type Reply } from './http-helpers.js';

const dir = tempDir('mmcdb-assets-hostile-');
const site = path.join(dir, 'site');
const db = path.join(dir, 'site.mmcdb');
const dotDb = path.join(dir, 'dot.mmcdb');
const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
const js = `export const x = 1;\n${'console.log("compress me");\n'.repeat(200)}`;

beforeAll(async () => {
  for (const d of ['日本', 'x?y', 'q#r', 'a b', 'api docs', '.git', '.well-known'])
    fs.mkdirSync(path.join(site, d), { recursive: true });
  for (const d of ['日本', 'x?y', 'q#r', 'a b', 'api docs']) fs.writeFileSync(path.join(site, d, 'index.html'), `<p>${d}</p>`);
  fs.writeFileSync(path.join(site, '.env'), 'SECRET=1');
  fs.writeFileSync(path.join(site, '.git', 'config'), '[core]');
  fs.writeFileSync(path.join(site, '.well-known', 'security.txt'), 'Contact: x');
  fs.writeFileSync(path.join(site, 'icon.svg'), svg);
  fs.writeFileSync(path.join(site, 'font.eot'), 'eot');
  fs.writeFileSync(path.join(site, 'app.js'), js);
  const warnings: string[] = [];
  await buildAssets(site, db, { precompress: ['br', 'gzip'], onWarning: (m) => warnings.push(m) });
  expect(warnings.join('\n')).toMatch(/skipped 2 dot-files or dot-folders/);
  await buildAssets(site, dotDb, { includeDotfiles: true });
});

describe('redirects of folder paths', () => {
  let get: (p: string, h?: Record<string, string>) => Promise<Reply>;
  beforeAll(async () => {
    get = await serve(createAssetHandler(db));
  });

  it('percent-encode the Location (a decoded 日本 crashed writeHead; x?y, q#r, a b went wrong)', async () => {
    const cases: [string, string][] = [
      ['/%E6%97%A5%E6%9C%AC', '/%E6%97%A5%E6%9C%AC/'],
      ['/x%3Fy', '/x%3Fy/'],
      ['/q%23r', '/q%23r/'],
      ['/a%20b?z=1', '/a%20b/?z=1'],
    ];
    for (const [target, location] of cases) {
      const r = await get(target);
      expect(r.status, target).toBe(301);
      expect(r.headers['location']).toBe(location);
      const followed = await get(location);
      expect(followed.status, location).toBe(200);
    }
  });

  it('keep the mount prefix under Express and Connect (req.originalUrl)', async () => {
    const app = express();
    app.use('/static', createAssetHandler(db));
    const capp = connect();
    capp.use('/files', createAssetHandler(db) as unknown as connect.NextHandleFunction);
    for (const [handler, prefix] of [
      [app, '/static'],
      [capp, '/files'],
    ] as const) {
      const server = http.createServer(handler as http.RequestListener);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}${prefix}/api%20docs?v=2`, { redirect: 'manual' });
      expect(res.status).toBe(301);
      expect(res.headers.get('location')).toBe(`${prefix}/api%20docs/?v=2`);
      const page = await fetch(`http://127.0.0.1:${port}${prefix}/api%20docs/`);
      expect(await page.text()).toBe('<p>api docs</p>');
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('HTTP semantics', () => {
  let get: (p: string, h?: Record<string, string>, m?: string) => Promise<Reply>;
  beforeAll(async () => {
    get = await serve(createAssetHandler(db));
  });

  it('dot-files are not packed or served by default; .well-known is; includeDotfiles packs them', async () => {
    expect((await get('/.env')).status).toBe(404);
    expect((await get('/.git/config')).status).toBe(404);
    expect((await get('/.well-known/security.txt')).status).toBe(200);
    const dot = await serve(createAssetHandler(dotDb));
    expect((await dot('/.env')).body.toString()).toBe('SECRET=1');
  });

  it('a stale If-Range gets the whole body (200); a current one the range (206)', async () => {
    const full = await get('/app.js');
    const etag = full.headers['etag']!;
    const fresh = await get('/app.js', { Range: 'bytes=0-9', 'If-Range': etag });
    expect(fresh.status).toBe(206);
    const stale = await get('/app.js', { Range: 'bytes=0-9', 'If-Range': '"0000000000000000"' });
    expect(stale.status).toBe(200);
    expect(stale.body.toString()).toBe(js);
    expect((await get('/app.js', { Range: 'bytes=0-9', 'If-Range': full.headers['last-modified']! })).status).toBe(206);
    expect((await get('/app.js', { Range: 'bytes=0-9', 'If-Range': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(200);
  });

  it('each content coding has its own strong ETag, and If-None-Match compares the chosen one', async () => {
    const id = await get('/app.js');
    const br = await get('/app.js', { 'Accept-Encoding': 'br' });
    const gz = await get('/app.js', { 'Accept-Encoding': 'gzip' });
    const tags = [id, br, gz].map((r) => r.headers['etag']);
    expect(new Set(tags).size).toBe(3);
    for (const t of tags) expect(t).toMatch(/^"[^"]+"$/);
    expect((await get('/app.js', { 'Accept-Encoding': 'br', 'If-None-Match': br.headers['etag']! })).status).toBe(304);
    expect((await get('/app.js', { 'Accept-Encoding': 'br', 'If-None-Match': id.headers['etag']! })).status).toBe(200);
  });

  it('nosniff everywhere; SVG gets a Content-Security-Policy that forbids scripts', async () => {
    for (const p of ['/icon.svg', '/app.js', '/missing'])
      expect((await get(p)).headers['x-content-type-options']).toBe('nosniff');
    const r = await get('/icon.svg');
    expect(r.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(r.headers['content-security-policy']).toMatch(/sandbox/);
    expect((await get('/app.js')).headers['content-security-policy']).toBeUndefined();
  });

  it('absolute-form targets are refused (400); the Range unit is case-insensitive; a future If-Modified-Since is ignored', async () => {
    expect((await get('http://evil.example/app.js')).status).toBe(400);
    const r = await get('/app.js', { Range: 'Bytes=0-1' });
    expect(r.status).toBe(206);
    expect(r.body.toString()).toBe('ex');
    const future = new Date(Date.now() + 86_400_000).toUTCString();
    expect((await get('/app.js', { 'If-Modified-Since': future })).status).toBe(200);
  });

  it('.eot and other types come from the full MIME table', async () => {
    expect((await get('/font.eot')).headers['content-type']).toBe('application/vnd.ms-fontobject');
  });
});

describe('createAssetHandler() arguments', () => {
  it('header options with CR/LF are refused at creation (they made every response "500 OK")', () => {
    expect(() => createAssetHandler(db, { cacheControl: 'public\r\nX-Evil: 1' })).toThrow(RangeError);
    expect(() => createAssetHandler(db, { svgContentSecurityPolicy: 'a\nb' })).toThrow(RangeError);
  });

  it('accepts a watched reader (hot reload for library users) and names what it was given otherwise', async () => {
    const w = openWatched(db);
    const get = await serve(createAssetHandler(w));
    expect((await get('/app.js')).status).toBe(200);
    w.close();
    expect(() => createAssetHandler(undefined as unknown as string)).toThrow(
      /takes a Reader, a WatchedReader \(openWatched\) or a path; got undefined/,
    );
    expect(() => createAssetHandler({} as unknown as string)).toThrow(/got an object \(Object\)/);
  });
});

describe('fuzzing request targets against the bare handler', () => {
  let server: http.Server;
  let port = 0;
  const uncaught: unknown[] = [];
  const onUncaught = (e: unknown) => uncaught.push(e);
  beforeAll(async () => {
    process.on('uncaughtException', onUncaught);
    // The handler itself is the request listener: nothing catches for it.
    server = http.createServer(createAssetHandler(openSync(db)));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await new Promise<void>((r) => server.close(() => r()));
  });

  function raw(target: string, extra = ''): Promise<string> {
    return new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      let data = '';
      s.setTimeout(5000, () => s.destroy());
      s.on('data', (d) => (data += d.toString('latin1')));
      s.on('close', () => resolve(data));
      s.on('error', () => resolve(data));
      s.write(
        Buffer.concat([
          Buffer.from('GET '),
          Buffer.from(target, 'latin1'),
          Buffer.from(` HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${extra}\r\n`),
        ]),
      );
    });
  }

  it('2,000 random targets and headers: every one answered, the server alive, nothing thrown', async () => {
    let x = 20261202;
    const rnd = (n: number) => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n;
    const pieces = [
      '/',
      '%',
      '%E6%97%A5',
      '%C0%AF',
      '%2F',
      '%00',
      '..',
      '.',
      '日本',
      'x?y',
      '#',
      '\\',
      '%FF',
      'a b',
      '?',
      '&',
      '%25',
      '.env',
      'index.html',
      '//',
      '%2e%2e',
      '\u00ff',
    ];
    const headerPool = [
      'Range: bytes=0-1',
      'Range: bytes=-0',
      'Range: bytes=9-1',
      'If-Range: W/"x"',
      'If-None-Match: *',
      'Accept-Encoding: br;q=x',
      'If-Modified-Since: garbage',
      'Range: bytes=99999999999999999999-',
    ];
    let answered = 0;
    for (let i = 0; i < 2000; i++) {
      let t = rnd(4) === 0 ? '' : '/';
      for (let k = rnd(6); k > 0; k--) t += pieces[rnd(pieces.length)];
      const extra = rnd(3) === 0 ? `${headerPool[rnd(headerPool.length)]}\r\n` : '';
      const reply = await raw(t || '/', extra);
      if (/^HTTP\/1\.1 \d{3} /.test(reply)) answered++;
    }
    expect(uncaught).toEqual([]);
    // Node's own parser refuses some targets before the handler sees them (400 too).
    expect(answered).toBe(2000);
    expect((await raw('/app.js')).startsWith('HTTP/1.1 200')).toBe(true);
  });
});
