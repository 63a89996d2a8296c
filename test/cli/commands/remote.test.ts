// cdb get | keys | dump | stats with an http(s):// URL in place of a path (nginx as the
// origin): the same output and exit codes as for the local file. And `cdb serve --raw`,
// the repo's one-command origin for remote readers: its HTTP rules in-process, the real
// command as a child process.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '@mmcdb/core';
import { openRemote } from '@mmcdb/core/remote';
import { createRawFileHandler } from '../../../packages/cli/dist/raw-files.js';
import { tempDir } from '../../helpers/tmp.js';
import { nginxUnavailable, startNginx, type Nginx } from '../../remote/helpers/nginx.js';
import { BIN, cdb, ok, ROOT } from '../helpers.js';

const dir = tempDir('mmcdb-cli-remote-');
const records: Array<[string, string | Uint8Array]> = [
  ...Array.from({ length: 3000 }, (_, i): [string, string] => [`k${i}`, `v${i}`]),
  ['k1', 'second'],
  ['bin', Uint8Array.of(0, 255, 10, 13)],
];
beforeAll(async () => {
  await build(path.join(dir, 'db.mmcdb'), records, { metadata: { name: 'remote' } });
  await build(path.join(dir, 'db.cdb'), records, { format: 'classic' });
  fs.writeFileSync(path.join(dir, '.hidden'), 'secret');
});

const why = nginxUnavailable();
describe.skipIf(why !== undefined)('cdb commands on a URL (nginx)', () => {
  let nginx: Nginx;
  beforeAll(async () => {
    nginx = await startNginx(dir);
  });
  afterAll(() => nginx?.stop());

  it.each(['db.mmcdb', 'db.cdb'])('%s: get, get --all --json, not found, keys, dump equal the local file', async (name) => {
    const url = `${nginx.base}/${name}`;
    const local = path.join(dir, name);
    expect((await ok(['get', url, 'k7'])).out).toBe('v7');
    expect((await ok(['get', url, 'k1', '--all', '--json'])).out).toBe('["v1","second"]\n');
    expect((await ok(['get', url, 'bin'])).stdout.equals(Buffer.of(0, 255, 10, 13))).toBe(true);
    expect((await cdb(['get', url, 'absent'])).status).toBe(100);
    for (const args of [['keys'], ['keys', '--cdbmake'], ['dump'], ['dump', '--format', 'jsonl']]) {
      const remote = await ok([args[0]!, url, ...args.slice(1)]);
      const there = await ok([args[0]!, local, ...args.slice(1)]);
      expect(remote.stdout.equals(there.stdout), args.join(' ')).toBe(true);
    }
  });

  it('get with many keys from stdin on a URL: a batch of keys per getMany(), a handful of requests', async () => {
    const keys = Array.from({ length: 1500 }, (_, i) => `k${(i * 7) % 3000}`);
    const before = nginx.log().length;
    const r = await cdb(['get', `${nginx.base}/db.mmcdb`, '-', '--newline'], { input: `${keys.join('\n')}\nabsent\n` });
    expect(r.status).toBe(100); // "absent"
    expect(r.out).toBe(`${keys.map((k) => (k === 'k1' ? 'v1' : `v${k.slice(1)}`)).join('\n')}\n\n`);
    expect(nginx.log().length - before).toBeLessThanOrEqual(1 + 2 * 2 * 4);
  });

  it('stats on a URL: what the header says, as text and JSON; --tinycdb is a usage error', async () => {
    const text = (await ok(['stats', `${nginx.base}/db.mmcdb`])).out;
    expect(text).toMatch(/format: +mmcdb/);
    expect(text).toMatch(/records: +3002/);
    const json = JSON.parse((await ok(['stats', '--json', `${nginx.base}/db.cdb`])).out) as Record<string, unknown>;
    expect(json).toMatchObject({ format: 'classic', records: 3002, fileSize: fs.statSync(path.join(dir, 'db.cdb')).size });
    expect((await cdb(['stats', '--tinycdb', `${nginx.base}/db.cdb`])).status).toBe(2);
  });

  it('errors: one line with the URL (no query string) and the code, exit 111', async () => {
    const r = await cdb(['get', `${nginx.base}/missing.mmcdb?token=s3cr3t`, 'k1']);
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/^cdb get: http:\/\/127\.0\.0\.1:\d+\/missing\.mmcdb\?…: HTTP 404 Not Found \[ERR_CDB_REMOTE\]\n$/);
    expect(r.stderr).not.toContain('s3cr3t');
  });
});

describe('cdb serve --raw: the HTTP rules (handler in-process)', () => {
  let base = '';
  let server: http.Server;
  beforeAll(async () => {
    server = http.createServer(createRawFileHandler(dir, { cors: true }));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const file = fs.readFileSync.bind(fs);

  it('single and multiple ranges, 416, If-Match 412, If-None-Match 304, HEAD, no dotfiles', async () => {
    const bytes = file(path.join(dir, 'db.mmcdb'));
    const one = await fetch(`${base}/db.mmcdb`, { headers: { Range: 'bytes=10-19' } });
    expect(one.status).toBe(206);
    expect(one.headers.get('content-range')).toBe(`bytes 10-19/${bytes.length}`);
    expect(Buffer.from(await one.arrayBuffer()).equals(bytes.subarray(10, 20))).toBe(true);
    const etag = one.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f-]+"$/);
    const multi = await fetch(`${base}/db.mmcdb`, { headers: { Range: 'bytes=0-3,100-103' } });
    expect(multi.headers.get('content-type')).toMatch(/^multipart\/byteranges; boundary=/);
    const text = Buffer.from(await multi.arrayBuffer()).toString('latin1');
    expect(text).toContain(`Content-Range: bytes 100-103/${bytes.length}`);
    expect((await fetch(`${base}/db.mmcdb`, { headers: { Range: `bytes=${bytes.length}-` } })).status).toBe(416);
    expect((await fetch(`${base}/db.mmcdb`, { headers: { Range: 'bytes=0-3', 'If-Match': '"other"' } })).status).toBe(412);
    expect((await fetch(`${base}/db.mmcdb`, { headers: { Range: 'bytes=0-3', 'If-Match': etag } })).status).toBe(206);
    expect((await fetch(`${base}/db.mmcdb`, { headers: { 'If-None-Match': etag } })).status).toBe(304);
    const head = await fetch(`${base}/db.mmcdb`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect((await fetch(`${base}/.hidden`)).status).toBe(404);
    expect((await fetch(`${base}/../etc/passwd`)).status).toBe(404);
  });

  it('CORS: the preflight and the exposed headers a browser reader needs', async () => {
    const pre = await fetch(`${base}/db.mmcdb`, { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Range/);
    const r = await fetch(`${base}/db.mmcdb`, { headers: { Range: 'bytes=0-0' } });
    expect(r.headers.get('access-control-expose-headers')).toMatch(/ETag, Content-Range/);
  });

  it.each(['db.mmcdb', 'db.cdb'])('openRemote reads %s through it (multi-range getMany included)', async (name) => {
    const db = await openRemote(`${base}/${name}`, { initialBytes: 4096, blockSize: 512, maxGapBytes: 0 });
    expect(await db.getString('k2999')).toBe('v2999');
    const got = await db.getMany(Array.from({ length: 300 }, (_, i) => `k${i * 10}`));
    got.forEach((v, i) => {
      expect(new TextDecoder().decode(v)).toBe(`v${i * 10}`);
    });
    expect(db.stats().multiRange).toBe(true);
    db.close();
  });
});

describe('cdb serve --raw (the command)', () => {
  it('serves a database file until SIGTERM (exit 0); cdb get reads it by URL', async () => {
    const proc = spawn(
      process.execPath,
      [BIN, 'serve', '--raw', path.join(dir, 'db.mmcdb'), '--host', '127.0.0.1', '--port', '0'],
      {
        cwd: ROOT,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    const exit = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`no "listening on" line: ${err}`)), 20_000);
        proc.stderr.on('data', (d: Buffer) => {
          err += d.toString();
          const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(err);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        });
      });
      expect((await ok(['get', `http://127.0.0.1:${port}/db.mmcdb`, 'k42'])).out).toBe('v42');
      expect((await ok(['get', `http://127.0.0.1:${port}/`, 'k43'])).out).toBe('v43');
    } finally {
      proc.kill('SIGTERM');
    }
    expect(await exit).toBe(0);
  });
});
