// Debian's nginx as the reference origin for remote reads: started on 127.0.0.1 with a
// generated config, a free port, its own temp prefix, pid and log files; stopped (by the
// pid it wrote) when the test file ends. `nginxUnavailable()` says why a test cannot run.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const NGINX = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => fs.existsSync(p));

export function nginxUnavailable(): string | undefined {
  return NGINX === undefined ? 'nginx is not installed (apt-get install nginx; .ci/run does)' : undefined;
}

export interface Nginx {
  /** http://127.0.0.1:<port> */
  base: string;
  /** The folder it serves at /. */
  root: string;
  /** Every request line it logged, as "METHOD /path status range". */
  log(): string[];
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts nginx serving `root`; `cors` adds the headers a browser on another origin needs (docs/REMOTE.md §CORS). */
export async function startNginx(root: string, options: { cors?: boolean } = {}): Promise<Nginx> {
  if (NGINX === undefined) throw new Error(nginxUnavailable());
  const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-nginx-'));
  // Started as root, nginx's workers run as an unprivileged user: the served folder must be readable.
  fs.chmodSync(root, 0o755);
  fs.mkdirSync(path.join(prefix, 'logs'));
  fs.mkdirSync(path.join(prefix, 'tmp'));
  const cors = options.cors
    ? `add_header Access-Control-Allow-Origin * always;
       add_header Access-Control-Expose-Headers "ETag, Content-Range, Content-Length, Last-Modified, Accept-Ranges" always;`
    : '';
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const conf = path.join(prefix, 'nginx.conf');
    fs.writeFileSync(
      conf,
      `daemon off;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/logs/error.log warn;
events { worker_connections 1024; }
http {
  types { application/octet-stream mmcdb cdb; text/html html; text/javascript js mjs; }
  log_format ranges '$request_method $uri $status "$http_range" "$http_if_match"';
  access_log ${prefix}/logs/access.log ranges;
  client_body_temp_path ${prefix}/tmp/body;
  proxy_temp_path ${prefix}/tmp/proxy;
  fastcgi_temp_path ${prefix}/tmp/fastcgi;
  uwsgi_temp_path ${prefix}/tmp/uwsgi;
  scgi_temp_path ${prefix}/tmp/scgi;
  keepalive_requests 100000;
  server {
    listen 127.0.0.1:${port};
    root ${root};
    location / { ${cors} }
  }
}
`,
    );
    const child = spawn(NGINX, ['-p', prefix, '-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const up = await waitForPort(port, 5000, exited);
    if (!up) {
      child.kill('SIGKILL');
      if (attempt < 3 && /Address already in use/.test(stderr)) continue; // lost the race for the port
      throw new Error(`nginx did not start: ${stderr.trim() || fs.readFileSync(path.join(prefix, 'logs/error.log'), 'utf8')}`);
    }
    return {
      base: `http://127.0.0.1:${port}`,
      root,
      log: () => {
        const file = path.join(prefix, 'logs/access.log');
        // nginx writes a request's line after it sent the response, so a client can be done
        // before the line is there: read once the file stopped growing (20 ms apart, ≤ 0.5 s).
        const size = () => (fs.existsSync(file) ? fs.statSync(file).size : 0);
        const pause = new Int32Array(new SharedArrayBuffer(4));
        for (let i = 0, last = -1; i < 25; i++) {
          const now = size();
          if (now === last) break;
          last = now;
          Atomics.wait(pause, 0, 0, 20);
        }
        return fs.existsSync(file)
          ? fs
              .readFileSync(file, 'utf8')
              .split('\n')
              .filter((l) => l !== '')
          : [];
      },
      stop: async () => {
        if (child.exitCode === null) {
          child.kill('SIGQUIT'); // graceful: nginx's own pid, the one we started
          const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 3000))]);
          if (!done) child.kill('SIGKILL');
        }
        fs.rmSync(prefix, { recursive: true, force: true });
      },
    };
  }
}

async function waitForPort(port: number, ms: number, exited: Promise<number | null>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  const until = Date.now() + ms;
  while (Date.now() < until && !gone) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 30));
  }
  return false;
}

/** Makes `file` appear in `root` as `name` (a hard link, or a copy across file systems). */
export function publish(file: string, root: string, name: string): void {
  const target = path.join(root, name);
  fs.rmSync(target, { force: true });
  try {
    fs.linkSync(file, target);
  } catch {
    fs.copyFileSync(file, target);
  }
}
