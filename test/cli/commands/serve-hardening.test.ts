// `cdb serve` under what production does to it: a new version renamed in (served and
// logged), the file truncated in place (503 with Retry-After, then the next version),
// clients that dribble headers or hold idle connections (cut by the documented
// timeouts and connection limit), and header options that would break every response.
// Also: Ctrl-C / SIGHUP during `cdb build --assets` leaves no temp file.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildAssets } from '@mmcdb/core/assets';
import { tempDir } from '../../helpers/tmp.js';
import { BIN, cdb, ROOT, tempLeftovers } from '../helpers.js';
import { request, startServe } from './serve-helpers.js';

const dir = tempDir('mmcdb-serve-hostile-');

async function site(name: string, text: string): Promise<string> {
  const folder = path.join(dir, name);
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'index.html'), text);
  const out = path.join(dir, `${name}.mmcdb`);
  await buildAssets(folder, out);
  return out;
}

const until = async (what: () => Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('cdb serve keeps serving', () => {
  it('a version renamed over the file is served from then on, and logged', async () => {
    const live = path.join(dir, 'live.mmcdb');
    fs.copyFileSync(await site('v1', 'one'), live);
    const s = await startServe([live]);
    expect((await request(s.port, '/')).body.toString()).toBe('one');
    fs.renameSync(await site('v2', 'two'), live);
    await until(async () => (await request(s.port, '/')).body.toString() === 'two');
    expect(s.stderr()).toContain('was replaced: serving the new version');
    s.proc.kill('SIGTERM');
    expect((await s.exit).code).toBe(0);
  });

  it('truncated in place: 503 with Retry-After (not 500 forever); the next renamed version serves again', async () => {
    const live = path.join(dir, 'cut.mmcdb');
    fs.copyFileSync(await site('c1', 'before'), live);
    const s = await startServe([live]);
    expect((await request(s.port, '/')).status).toBe(200);
    fs.truncateSync(live, 100);
    await until(async () => (await request(s.port, '/')).status === 503);
    const r = await request(s.port, '/');
    expect(r.headers['retry-after']).toBe('1');
    fs.renameSync(await site('c2', 'after'), live);
    await until(async () => (await request(s.port, '/')).body.toString() === 'after');
    s.proc.kill('SIGTERM');
    expect((await s.exit).code).toBe(0);
  });
});

describe('cdb serve limits', () => {
  it('a client that dribbles its headers is cut after --headers-timeout; --max-connections refuses the rest', async () => {
    const db = await site('limits', 'x');
    const s = await startServe([db, '--headers-timeout', '800', '--request-timeout', '1500', '--max-connections', '2']);
    /** A connection, and when it was closed (ms after it opened) — listened to from the start. */
    const open = (): Promise<{ socket: net.Socket; closed: Promise<number> }> =>
      new Promise((resolve) => {
        const t0 = Date.now();
        const socket = net.connect(s.port, '127.0.0.1');
        const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now() - t0)));
        socket.on('error', () => undefined);
        socket.resume(); // read what the server sends (its 408), so that its close is seen
        socket.on('connect', () => resolve({ socket, closed }));
      });
    const a = await open();
    a.socket.write('GET / HTTP/1.1\r\nHost: x\r\n'); // never finishes its headers
    const b = await open();
    const third = await open();
    expect(await third.closed).toBeLessThan(2000); // over the connection limit: closed at once
    expect(await a.closed).toBeLessThan(8000); // the dribbler: cut by the timeouts
    b.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await request(s.port, '/')).status).toBe(200);
    s.proc.kill('SIGTERM');
    expect((await s.exit).code).toBe(0);
  });

  it('a --cache-control with CR/LF is a usage error (it made every response "500 OK")', async () => {
    const db = await site('crlf', 'x');
    const r = await cdb(['serve', db, '--port', '0', '--cache-control', 'public\r\nX-Evil: 1']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--cache-control: .*line breaks/);
  });
});

describe('cdb build --assets interrupted', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGHUP', 129],
    ['SIGTERM', 143],
  ] as const)('%s: exit %d, no temp file, the target unchanged', async (signal, code) => {
    const folder = path.join(dir, `many-${signal}`);
    fs.mkdirSync(folder);
    const text = 'compressible text '.repeat(20_000);
    for (let i = 0; i < 400; i++) fs.writeFileSync(path.join(folder, `f${i}.txt`), `${i}${text}`);
    const out = path.join(dir, `many-${signal}.mmcdb`);
    const proc = spawn(process.execPath, [BIN, 'build', '--assets', out, folder, '--precompress', 'br,gzip', '--no-progress'], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<number | null>((r) => proc.on('exit', (c) => r(c)));
    await until(async () => tempLeftovers(dir).length > 0, 20_000);
    proc.kill(signal);
    expect(await exit).toBe(code);
    expect(err).toContain(`interrupted (${signal})`);
    expect(tempLeftovers(dir)).toEqual([]);
    expect(fs.existsSync(out)).toBe(false);
  });
});
