// cdb build --assets and cdb serve: the CLI wiring of core's buildAssets() and
// createAssetHandler(). `cdb serve` runs as a child process on 127.0.0.1, port 0; the port
// is read from its "listening on" line, real HTTP requests are made, then SIGTERM/SIGINT
// must close it with exit 0. (The handler's HTTP rules are tested in test/assets.)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSync } from '@mmcdb/core';
import { tempDir } from '../../helpers/tmp.js';
import { BIN, cdb, expectOneLineError, fixture, ok, ROOT, tempLeftovers } from '../helpers.js';
import { request, startServe } from './serve-helpers.js';

const dir = tempDir('mmcdb-cli-assets-');
const site = path.join(dir, 'site');
const db = path.join(dir, 'site.mmcdb');
const FILES: Record<string, Buffer> = {
  'index.html': Buffer.from(`<!doctype html><title>t</title>${'<p>hello from one file</p>\n'.repeat(100)}`),
  'assets/app.js': Buffer.from(`export const x = 1;\n${'console.log("compress me");\n'.repeat(200)}`),
  'assets/logo.png': randomBytes(3000),
  'docs/index.html': Buffer.from('<h1>docs</h1>'),
  'empty.txt': Buffer.alloc(0),
};

beforeAll(() => {
  for (const [name, bytes] of Object.entries(FILES)) {
    fs.mkdirSync(path.dirname(path.join(site, name)), { recursive: true });
    fs.writeFileSync(path.join(site, name), bytes);
  }
});

describe('cdb build --assets', () => {
  it('packs the folder with core buildAssets (metadata, paths with a leading slash, variants)', async () => {
    const r = await ok(['build', '--assets', db, site, '--precompress', 'br,gzip']);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toMatch(
      /^cdb build: wrote .*site\.mmcdb: 5 files \(\d+ records\), \d+ bytes, [\d.]+ s \(assets, precompressed br,gzip\)\n$/,
    );
    const reader = openSync(db, { backend: 'memory' });
    expect(reader.metadata).toEqual({ kind: 'mmcdb-assets', version: 1, files: 5 });
    for (const [name, bytes] of Object.entries(FILES)) expect(reader.get(`/${name}`)?.equals(bytes), name).toBe(true);
    expect(reader.has('\0b/assets/app.js')).toBe(true);
    expect(reader.has('\0g/assets/app.js')).toBe(true);
    expect(reader.has('\0b/assets/logo.png')).toBe(false); // random bytes do not compress
    reader.close();
    expect((await ok(['verify', db])).out).toContain(': ok (mmcdb');
  });

  it('without --precompress: identity bodies only; the plain dir input is unchanged (no leading slash)', async () => {
    const plain = path.join(dir, 'plain.mmcdb');
    await ok(['build', '--assets', plain, site, '-q']);
    const reader = openSync(plain, { backend: 'memory' });
    expect(reader.has('\0b/assets/app.js')).toBe(false);
    reader.close();
    const tree = path.join(dir, 'tree.mmcdb');
    await ok(['build', tree, site, '--input-format', 'dir', '-q']);
    expect((await ok(['keys', tree])).out).toBe('assets/app.js\nassets/logo.png\ndocs/index.html\nempty.txt\nindex.html\n');
  });

  it('a missing folder, a file, an unwritable target: one line, exit 111, nothing written', async () => {
    const out = path.join(dir, 'x.mmcdb');
    expectOneLineError(
      await cdb(['build', '--assets', out, path.join(dir, 'nope')]),
      'cdb build: cannot read',
      'nope: no such file or directory (ENOENT)',
    );
    expectOneLineError(await cdb(['build', '--assets', out, fixture('small.csv')]), 'small.csv: not a folder');
    expectOneLineError(
      await cdb(['build', '--assets', '/no/such/dir/x.mmcdb', site]),
      'cannot create /no/such/dir/x.mmcdb',
      '(ENOENT)',
    );
    expect(fs.existsSync(out)).toBe(false);
    fs.writeFileSync(out, 'previous');
    expectOneLineError(await cdb(['build', '--assets', out, path.join(dir, 'nope')]), 'ENOENT');
    expect(fs.readFileSync(out, 'utf8')).toBe('previous');
    expect(tempLeftovers(dir)).toEqual([]);
  });

  it('usage errors exit 2', async () => {
    const out = path.join(dir, 'u.mmcdb');
    for (const args of [
      ['build', '--assets', out, site, '--precompress', 'zstd'],
      ['build', '--assets', out, site, '--format', 'classic'],
      ['build', '--assets', out, site, '--seed', '1'],
      ['build', '--assets', out, site, '--input-format', 'dir'],
      ['build', '--assets', out, site, site],
      ['build', '--assets', out],
      ['build', out, fixture('small.cdbmake'), '--precompress', 'br'],
    ]) {
      const r = await cdb(args);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(2);
    }
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('cdb serve', () => {
  beforeAll(async () => {
    if (!fs.existsSync(db)) await ok(['build', '--assets', db, site, '--precompress', 'br,gzip', '-q']);
  });

  it('serves the folder over HTTP (GET, HEAD, 304, br, 404) and exits 0 on SIGTERM', async () => {
    const s = await startServe([db, '--cache-control', 'public, max-age=300']);
    expect(s.port).toBeGreaterThan(0);
    for (const [name, bytes] of Object.entries(FILES)) {
      const r = await request(s.port, `/${name}`);
      expect(r.status, name).toBe(200);
      expect(r.body.equals(bytes), name).toBe(true);
      expect(r.headers['content-length']).toBe(String(bytes.length));
      expect(r.headers['cache-control']).toBe('public, max-age=300');
    }
    const root = await request(s.port, '/');
    expect(root.body.equals(FILES['index.html']!)).toBe(true);
    expect(root.headers['content-type']).toBe('text/html; charset=utf-8');

    const head = await request(s.port, '/assets/logo.png', {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-length']).toBe('3000');
    expect(head.headers['content-type']).toBe('image/png');

    const etag = head.headers['etag']!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const cached = await request(s.port, '/assets/logo.png', { 'If-None-Match': etag });
    expect(cached.status).toBe(304);
    expect(cached.body.length).toBe(0);

    const br = await request(s.port, '/assets/app.js', { 'Accept-Encoding': 'gzip, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(br.body.length).toBeLessThan(FILES['assets/app.js']!.length);
    expect(zlib.brotliDecompressSync(br.body).equals(FILES['assets/app.js']!)).toBe(true);
    const gz = await request(s.port, '/assets/app.js', { 'Accept-Encoding': 'gzip' });
    expect(zlib.gunzipSync(gz.body).equals(FILES['assets/app.js']!)).toBe(true);

    expect((await request(s.port, '/nope.html')).status).toBe(404);
    expect((await request(s.port, '/docs')).status).toBe(301);
    expect((await request(s.port, '/index.html', {}, 'POST')).status).toBe(405);

    s.proc.kill('SIGTERM');
    expect(await s.exit).toEqual({ code: 0, signal: null });
    expect(s.stderr()).not.toMatch(/error/i);
  });

  it('SIGINT closes it cleanly too, also with a keep-alive connection open', async () => {
    const s = await startServe([db, '--backend', 'pread']);
    const socket = net.connect(s.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write('GET /empty.txt HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\n\r\n');
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    s.proc.kill('SIGINT');
    expect(await s.exit).toEqual({ code: 0, signal: null });
    socket.destroy();
  });

  it('a database that is not an asset database, a missing one, a busy port: one line, exit 111', async () => {
    const plain = path.join(dir, 'plain-records.cdb');
    await ok(['build', plain, fixture('small.cdbmake'), '-q']);
    expectOneLineError(await cdb(['serve', plain, '--port', '0']), 'cdb serve:', 'not an asset database');
    const classic = path.join(dir, 'classic.cdb');
    await ok(['build', classic, fixture('small.cdbmake'), '--format', 'classic', '-q']);
    expectOneLineError(await cdb(['serve', classic, '--port', '0']), 'not an asset database (classic file');
    expectOneLineError(await cdb(['serve', path.join(dir, 'nope.mmcdb'), '--port', '0']), 'cannot open', '(ENOENT)');

    const s = await startServe([db]);
    expectOneLineError(
      await cdb(['serve', db, '--host', '127.0.0.1', '--port', String(s.port)]),
      `cannot listen on http://127.0.0.1:${s.port}`,
      '(EADDRINUSE)',
    );
    s.proc.kill('SIGTERM');
    expect((await s.exit).code).toBe(0);

    expect((await cdb(['serve', db, '--port', '70000'])).status).toBe(2);
    expect((await cdb(['serve', db, '--port', 'http'])).status).toBe(2);
  });
});
