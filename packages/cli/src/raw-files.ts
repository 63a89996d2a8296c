// `cdb serve --raw`: database files as they are, for remote readers (docs/REMOTE.md
// §Hosting): GET/HEAD with single and multiple byte ranges (multipart/byteranges), a
// strong ETag from size, mtime and inode, Last-Modified, If-Match / If-Unmodified-Since
// (412), If-None-Match (304), If-Range, and with --cors the headers a page on another
// origin needs. Each request opens the file and answers from that descriptor, so a
// database replaced by rename is served whole, old or new, with the matching ETag.
import * as fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as path from 'node:path';
import { normalisePath } from '@mmcdb/core/assets';

export interface RawFileOptions {
  cors?: boolean;
  cacheControl?: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/** Largest number of ranges answered in one multipart response (more: the whole file). */
const MAX_RANGES = 1000;

/** Serves `target`: one file (at "/" and "/<its name>") or every regular file under a folder. */
export function createRawFileHandler(target: string, options: RawFileOptions = {}): Handler {
  const single = fs.statSync(target).isFile();
  const resolve = (urlPath: string): string | undefined => {
    const p = normalisePath(urlPath);
    if (p === undefined) return undefined;
    if (single) return p === '/' || p === `/${path.basename(target)}` ? target : undefined;
    if (p.split('/').some((seg) => seg.startsWith('.'))) return undefined; // no dotfiles (writer temp files)
    return path.join(target, p);
  };
  const cors: Record<string, string> = options.cors
    ? {
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Expose-Headers': 'ETag, Content-Range, Content-Length, Last-Modified, Accept-Ranges',
      }
    : {};
  return (req, res) => {
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS' && options.cors) {
      res.writeHead(204, {
        ...cors,
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Allow-Headers': 'Range, If-Match, If-None-Match, If-Unmodified-Since, If-Range, Authorization',
        'Access-Control-Max-Age': '86400',
      });
      return res.end();
    }
    if (method !== 'GET' && method !== 'HEAD') return plain(res, 405, 'Method Not Allowed\n', { ...cors, Allow: 'GET, HEAD' });
    const file = resolve(req.url ?? '/');
    if (file === undefined) return plain(res, 404, 'Not Found\n', cors);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return plain(res, 404, 'Not Found\n', cors);
    }
    let st: fs.Stats;
    try {
      st = fs.fstatSync(fd);
    } catch {
      fs.closeSync(fd);
      return plain(res, 500, 'Internal Server Error\n', cors);
    }
    if (!st.isFile()) {
      fs.closeSync(fd);
      return plain(res, 404, 'Not Found\n', cors);
    }
    answer(req, res, fd, st, { ...cors, 'Cache-Control': options.cacheControl ?? 'public, max-age=0, must-revalidate' });
  };
}

function answer(req: IncomingMessage, res: ServerResponse, fd: number, st: fs.Stats, extra: Record<string, string>): void {
  let closed = false;
  const close = (): void => {
    if (!closed) fs.close(fd, () => undefined);
    closed = true;
  };
  res.once('close', close);
  const size = st.size;
  const etag = `"${size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}-${st.ino.toString(16)}"`;
  const lastModified = st.mtime.toUTCString();
  const headers: Record<string, string> = {
    ...extra,
    ETag: etag,
    'Last-Modified': lastModified,
    'Accept-Ranges': 'bytes',
    'Content-Type': 'application/octet-stream',
  };
  const h = req.headers;
  const tags = (v: string) => v.split(',').map((t) => t.trim());
  const stale =
    h['if-match'] !== undefined
      ? h['if-match'].trim() !== '*' && !tags(h['if-match']).includes(etag)
      : h['if-unmodified-since'] !== undefined && Math.floor(st.mtimeMs / 1000) * 1000 > Date.parse(h['if-unmodified-since']);
  if (stale) {
    finish(res, 412, headers, close);
    return;
  }
  if (h['if-none-match'] !== undefined && tags(h['if-none-match']).some((t) => t === '*' || t.replace(/^W\//, '') === etag)) {
    finish(res, 304, headers, close);
    return;
  }
  let ranges = parseRanges(typeof h.range === 'string' ? h.range : undefined, size);
  const ifRange = h['if-range'];
  if (ifRange !== undefined && ifRange !== etag && ifRange !== lastModified) ranges = undefined; // stale: the whole file
  if (ranges === 'unsatisfiable') {
    finish(res, 416, { ...headers, 'Content-Range': `bytes */${size}` }, close);
    return;
  }
  const head = req.method === 'HEAD';
  if (ranges === undefined || ranges.length > MAX_RANGES || ranges.length === 1) {
    const [start, end] = ranges === undefined || ranges.length !== 1 ? [0, size] : ranges[0]!;
    const whole = start === 0 && end === size && ranges?.length !== 1;
    res.writeHead(whole ? 200 : 206, {
      ...headers,
      ...(!whole && { 'Content-Range': `bytes ${start}-${end - 1}/${size}` }),
      'Content-Length': String(end - start),
    });
    if (head) {
      res.end();
      close();
    } else stream(res, fd, [[start, end]], [], undefined, close);
    return;
  }
  const boundary = `mmcdb-${Math.random().toString(16).slice(2)}`;
  const heads = ranges.map(
    ([s, e]) =>
      `\r\n--${boundary}\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes ${s}-${e - 1}/${size}\r\n\r\n`,
  );
  const tail = `\r\n--${boundary}--\r\n`;
  let length = Buffer.byteLength(tail);
  ranges.forEach(([s, e], i) => {
    length += Buffer.byteLength(heads[i]!) + e - s;
  });
  res.writeHead(206, {
    ...headers,
    'Content-Type': `multipart/byteranges; boundary=${boundary}`,
    'Content-Length': String(length),
  });
  if (head) {
    res.end();
    close();
  } else if (length <= ASSEMBLE_LIMIT) assemble(res, fd, ranges, heads, tail, length, close);
  else stream(res, fd, ranges, heads, tail, close);
}

/** Multipart bodies up to this size are built in memory from parallel reads and sent in one write. */
const ASSEMBLE_LIMIT = 16 * 1024 * 1024;

/**
 * A multipart answer to a batch of lookups (hundreds of small parts) from positional reads
 * issued all at once: one after another, their callbacks would add up to the response time.
 */
function assemble(
  res: ServerResponse,
  fd: number,
  ranges: Array<[number, number]>,
  heads: string[],
  tail: string,
  length: number,
  close: () => void,
): void {
  const body = Buffer.allocUnsafe(length);
  let at = 0;
  const reads: Array<Promise<void>> = [];
  ranges.forEach(([start, end], i) => {
    at += body.write(heads[i]!, at, 'latin1');
    const into = at;
    reads.push(
      new Promise((resolve, reject) =>
        fs.read(fd, body, into, end - start, start, (err, n) =>
          err !== null || n !== end - start ? reject(err ?? new Error('short read')) : resolve(),
        ),
      ),
    );
    at += end - start;
  });
  body.write(tail, at, 'latin1');
  Promise.all(reads).then(
    () => {
      res.end(body);
      close();
    },
    () => {
      res.destroy();
      close();
    },
  );
}

/** Writes the ranges (each after its part header, when multipart) from the descriptor, one after another. */
function stream(
  res: ServerResponse,
  fd: number,
  ranges: Array<[number, number]>,
  heads: string[],
  tail: string | undefined,
  close: () => void,
): void {
  let i = 0;
  const next = (): void => {
    if (i === ranges.length) {
      res.end(tail);
      close();
      return;
    }
    const [start, end] = ranges[i]!;
    if (heads[i] !== undefined) res.write(heads[i]);
    i++;
    if (end === start) {
      next();
      return;
    }
    if (end - start <= 256 * 1024) {
      // A small part (a lookup's slots or record): one positional read, no stream to set up.
      const buf = Buffer.allocUnsafe(end - start);
      fs.read(fd, buf, 0, buf.length, start, (err, n) => {
        if (err !== null || n !== buf.length) res.destroy();
        else if (res.write(buf)) next();
        else res.once('drain', next);
      });
      return;
    }
    const rs = fs.createReadStream('', { fd, start, end: end - 1, autoClose: false });
    rs.on('error', () => res.destroy());
    rs.on('end', next);
    rs.pipe(res, { end: false });
  };
  next();
}

function finish(res: ServerResponse, status: number, headers: Record<string, string>, close: () => void): void {
  res.writeHead(status, headers);
  res.end();
  close();
}

function plain(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/**
 * Byte ranges of a Range header (RFC 9110 §14.1.2), [start, end) each, sorted and with
 * overlapping or adjacent ones merged; undefined = no usable header (the whole file),
 * 'unsatisfiable' = none of them lies in the file.
 */
export function parseRanges(header: string | undefined, size: number): Array<[number, number]> | undefined | 'unsatisfiable' {
  if (header === undefined) return undefined;
  const m = /^\s*bytes\s*=(.*)$/i.exec(header);
  if (m === null) return undefined;
  const out: Array<[number, number]> = [];
  for (const spec of m[1]!.split(',')) {
    const r = /^\s*(\d*)\s*-\s*(\d*)\s*$/.exec(spec);
    if (r === null || (r[1] === '' && r[2] === '')) return undefined;
    if (r[1] === '') {
      const suffix = Number(r[2]);
      if (suffix > 0 && size > 0) out.push([Math.max(0, size - suffix), size]);
      continue;
    }
    const start = Number(r[1]);
    if (r[2] !== '' && Number(r[2]) < start) return undefined; // invalid: the header is ignored
    const last = r[2] === '' ? size - 1 : Number(r[2]);
    if (start < size) out.push([start, Math.min(last, size - 1) + 1]);
  }
  if (out.length === 0) return 'unsatisfiable';
  out.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [out[0]!];
  for (const r of out.slice(1)) {
    const last = merged[merged.length - 1]!;
    if (r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push(r);
  }
  return merged;
}
