// A small HTTP origin for remote-reader tests: serves in-memory files with Range (one or
// several: multipart/byteranges), strong ETags and If-Match, counts and times every
// request, adds latency, and misbehaves on demand (ignore Range, 5xx, cut or reset
// bodies, hang, compress, lie about the size, change the file between requests).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type Fault =
  | { kind: 'status'; status: number; retryAfter?: number }
  | { kind: 'ignore-range' }
  | { kind: 'truncate' }
  | { kind: 'reset' }
  | { kind: 'hang' }
  | { kind: 'gzip' }
  | { kind: 'wrong-total' }
  | { kind: 'wrong-range' }
  | { kind: 'extra-bytes' };

export interface Logged {
  method: string;
  path: string;
  range: string | undefined;
  ifMatch: string | undefined;
  status: number;
  /** Ranges asked for, [start, end) each. */
  ranges: Array<[number, number]>;
  bodyBytes: number;
  startedAt: number;
  endedAt: number;
}

export interface RangeServer {
  base: string;
  url(name: string): string;
  /** Adds or replaces a file (a new ETag: a new version). */
  put(name: string, bytes: Uint8Array): void;
  log: Logged[];
  /** Called per request (n = 0-based request number); a fault to act out, or undefined to behave. */
  fault: ((req: http.IncomingMessage, n: number) => Fault | undefined) | undefined;
  latencyMs: number;
  /** How several ranges in one request are answered. */
  multi: 'multipart' | 'whole' | 'first-only' | '416';
  etag: 'strong' | 'weak' | 'none';
  lastModified: boolean;
  /** Sequential depth of the logged requests: the longest chain where each starts after the previous ended. */
  rounds(from?: number): number;
  reset(): void;
  close(): Promise<void>;
}

interface Stored {
  bytes: Buffer;
  version: number;
  mtime: Date;
}

export async function startRangeServer(): Promise<RangeServer> {
  const files = new Map<string, Stored>();
  let versions = 0;
  let n = 0;
  const sockets = new Set<import('node:net').Socket>();
  const self: RangeServer = {
    base: '',
    url: (name) => `${self.base}/${name}`,
    put: (name, bytes) => {
      versions++;
      files.set(name, { bytes: Buffer.from(bytes), version: versions, mtime: new Date(Date.UTC(2026, 0, 1, 0, 0, versions)) });
    },
    log: [],
    fault: undefined,
    latencyMs: 0,
    multi: 'multipart',
    etag: 'strong',
    lastModified: true,
    rounds: (from = 0) => {
      const reqs = self.log.slice(from).sort((a, b) => a.startedAt - b.startedAt);
      const depth: number[] = [];
      reqs.forEach((r, i) => {
        let d = 1;
        for (let j = 0; j < i; j++) if (reqs[j]!.endedAt <= r.startedAt) d = Math.max(d, depth[j]! + 1);
        depth.push(d);
      });
      return Math.max(0, ...depth);
    },
    reset: () => {
      n = 0;
      self.log.length = 0;
      self.fault = undefined;
      self.latencyMs = 0;
      self.multi = 'multipart';
      self.etag = 'strong';
      self.lastModified = true;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };

  const server = http.createServer((req, res) => {
    const startedAt = performance.now();
    const index = n++; // (outside the optional call: counted whether or not a fault is set)
    const fault = self.fault?.(req, index);
    const entry: Logged = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      range: req.headers.range,
      ifMatch: req.headers['if-match'],
      status: 0,
      ranges: [],
      bodyBytes: 0,
      startedAt,
      endedAt: startedAt,
    };
    self.log.push(entry);
    const finish = (status: number, headers: http.OutgoingHttpHeaders, body?: Buffer): void => {
      entry.status = status;
      entry.bodyBytes = body?.length ?? 0;
      res.writeHead(status, headers);
      res.end(body, () => (entry.endedAt = performance.now()));
    };
    setTimeout(() => {
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'reset') return req.socket.destroy();
      if (fault?.kind === 'status')
        return finish(
          fault.status,
          fault.retryAfter !== undefined ? { 'Retry-After': String(fault.retryAfter) } : {},
          Buffer.from('no\n'),
        );
      const file = files.get((req.url ?? '/').slice(1).split('?')[0]!);
      if (file === undefined) return finish(404, {}, Buffer.from('not found\n'));
      const size = file.bytes.length;
      const headers: http.OutgoingHttpHeaders = { 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
      const tag = `"v${file.version}-${size}"`;
      if (self.etag === 'strong') headers['ETag'] = tag;
      if (self.etag === 'weak') headers['ETag'] = `W/${tag}`;
      if (self.lastModified) headers['Last-Modified'] = file.mtime.toUTCString();
      const ifMatch = req.headers['if-match'];
      if (ifMatch !== undefined && ifMatch !== '*' && !ifMatch.split(',').some((t) => t.trim() === tag))
        return finish(412, headers);
      const ranges = parseRanges(req.headers.range, size);
      entry.ranges = ranges ?? [];
      if (ranges === undefined || fault?.kind === 'ignore-range')
        return finish(200, { ...headers, 'Content-Length': size }, file.bytes);
      if (ranges.length === 0) return finish(416, { ...headers, 'Content-Range': `bytes */${size}` });
      if (ranges.length > 1 && self.multi === 'whole') return finish(200, { ...headers, 'Content-Length': size }, file.bytes);
      if (ranges.length > 1 && self.multi === '416') return finish(416, { ...headers, 'Content-Range': `bytes */${size}` });
      if (ranges.length === 1 || self.multi === 'first-only') {
        const [start, end] = ranges[0]!;
        let body = file.bytes.subarray(start, end);
        let total = size;
        let first = start;
        if (fault?.kind === 'wrong-total') total = size + 1;
        if (fault?.kind === 'wrong-range') first = start + 1;
        if (fault?.kind === 'gzip') {
          body = gzipSync(body);
          headers['Content-Encoding'] = 'gzip';
        }
        if (fault?.kind === 'extra-bytes') body = Buffer.concat([body, Buffer.alloc(100)]);
        headers['Content-Range'] = `bytes ${first}-${first + (end - start) - 1}/${total}`;
        if (fault?.kind === 'truncate') {
          entry.status = 206;
          res.writeHead(206, { ...headers, 'Content-Length': body.length });
          res.write(body.subarray(0, Math.floor(body.length / 2)));
          setTimeout(() => req.socket.destroy(), 5);
          return;
        }
        return finish(206, { ...headers, 'Content-Length': body.length }, body);
      }
      const boundary = 'mmcdb-test-boundary';
      const chunks: Buffer[] = [];
      for (const [start, end] of ranges) {
        chunks.push(
          Buffer.from(
            `\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes ${start}-${end - 1}/${size}\r\n\r\n`,
          ),
        );
        chunks.push(file.bytes.subarray(start, end));
      }
      chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`));
      const body = Buffer.concat(chunks);
      finish(
        206,
        { ...headers, 'Content-Type': `multipart/byteranges; boundary=${boundary}`, 'Content-Length': body.length },
        body,
      );
    }, self.latencyMs);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  self.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return self;
}

/** [start, end) ranges of a Range header; undefined = no or unparsable header (whole file), [] = unsatisfiable. */
function parseRanges(header: string | undefined, size: number): Array<[number, number]> | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(.+)$/.exec(header.trim());
  if (m === null) return undefined;
  const out: Array<[number, number]> = [];
  for (const spec of m[1]!.split(',')) {
    const r = /^\s*(\d+)-(\d*)\s*$/.exec(spec);
    if (r === null) return undefined;
    const start = Number(r[1]);
    const end = r[2] === '' ? size : Math.min(size, Number(r[2]) + 1);
    if (start < size && end > start) out.push([start, end]);
  }
  return out;
}
