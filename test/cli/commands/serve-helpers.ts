// Shared by the `cdb serve` tests: start the real executable on 127.0.0.1 (port 0),
// wait for its "listening on" line, make raw HTTP requests; servers still running when
// the test file ends are killed.
import { spawn, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import { afterAll } from 'vitest';
import { BIN, ROOT } from '../helpers.js';

export interface Server {
  proc: ChildProcess;
  port: number;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const servers: ChildProcess[] = [];
afterAll(() => {
  for (const s of servers) if (s.exitCode === null && s.signalCode === null) s.kill('SIGKILL');
});

/** Starts `cdb serve` on 127.0.0.1 port 0 and waits for its "listening on" line. */
export function startServe(args: string[]): Promise<Server> {
  const proc = spawn(process.execPath, [BIN, 'serve', ...args, '--host', '127.0.0.1', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MMCDB_BACKEND: undefined, DEBUG: undefined },
  });
  servers.push(proc);
  let err = '';
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cdb serve did not start: ${err}`)), 20_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /^listening on http:\/\/127\.0\.0\.1:(\d+)\n/m.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, port: Number(m[1]), stderr: () => err, exit });
      }
    });
    void exit.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`cdb serve exited ${code} before listening: ${err}`));
    });
  });
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export function request(port: number, urlPath: string, headers: http.OutgoingHttpHeaders = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: urlPath, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}
