// openRemote() options, their defaults and their checks (docs/REMOTE.md §Options).
import { redactUrl } from '../../source/http/remote-error.js';
import type { TransportOptions } from '../../source/http/transport.js';

export interface RemoteOptions {
  /** Extra request headers, e.g. Authorization (sent with every request). */
  headers?: Record<string, string> | Iterable<[string, string]>;
  /** The fetch to use (signing, proxies, undici agents); default globalThis.fetch. */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Aborts every read of this reader (ERR_CDB_ABORTED). */
  signal?: AbortSignal;
  /** Limit on one request attempt, headers and body (default 30000). */
  timeoutMs?: number;
  /** Further attempts after a 5xx, 429 or broken connection (default 3). */
  retries?: number;
  /** First backoff; doubles per attempt, ±25 % jitter (default 100). */
  retryDelayMs?: number;
  /** Block cache size in bytes; 0 = no cache (default 16 MiB). */
  cacheBytes?: number;
  /** Cache block size: a power of two from 512 to 1 MiB (default 512). */
  blockSize?: number;
  /** Bytes of the first request, which holds the header; a smaller file comes whole (default 16384). */
  initialBytes?: number;
  /** Largest file taken whole from a server that ignores Range (default 8 MiB). */
  maxWholeFileBytes?: number;
  /** Requests in flight at once (default 16). */
  concurrency?: number;
  /** Runs of blocks closer than this are fetched as one range (default 8192). */
  maxGapBytes?: number;
  /** Ask for several ranges per request (multipart/byteranges); default: true in Node, false in browsers (CORS preflight). */
  multiRange?: boolean;
  /** Send If-Match with the pinned ETag; default: true in Node, false in browsers (preflight, no HTTP cache). */
  ifMatch?: boolean;
  /** Largest value (or record in a scan, or metadata) read into memory (default 256 MiB). */
  maxValueBytes?: number;
  /** Range size of entries() and other sequential reads (default 4 MiB). */
  scanBytes?: number;
  /** Bytes read past a record's key in its first read, so that short values need no second request (default 256). */
  readAheadBytes?: number;
}

export interface ResolvedOptions extends TransportOptions {
  cacheBytes: number;
  blockSize: number;
  initialBytes: number;
  maxGapBytes: number;
  maxValueBytes: number;
  scanBytes: number;
  readAheadBytes: number;
}

const MiB = 1024 * 1024;

/** Node (and runtimes that present themselves as it): no CORS, so If-Match and multi-range are free. */
export function isNodeLike(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  return typeof p?.versions?.node === 'string';
}

function int(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function resolveOptions(url: string | URL, o: RemoteOptions): ResolvedOptions {
  const text = url instanceof URL ? url.href : url;
  if (typeof text !== 'string') throw new TypeError(`url must be a string or a URL, got ${typeof url}`);
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    throw new TypeError(`not a valid URL: ${JSON.stringify(redactUrl(text))}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new TypeError(`only http: and https: URLs can be opened, got ${parsed.protocol}`);
  const fetchImpl = o.fetch ?? (globalThis.fetch as ResolvedOptions['fetch'] | undefined);
  if (typeof fetchImpl !== 'function') throw new TypeError('no fetch() here: pass options.fetch');
  const headers: Record<string, string> = {};
  if (o.headers !== undefined) {
    new Headers(o.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => {
      headers[k] = v;
    });
  }
  const blockSize = int('blockSize', o.blockSize, 512, 512, MiB);
  if ((blockSize & (blockSize - 1)) !== 0) throw new RangeError(`blockSize must be a power of two, got ${blockSize}`);
  const node = isNodeLike();
  return {
    url: parsed.href,
    shownUrl: redactUrl(parsed.href),
    fetch: (u, init) => fetchImpl(u, init),
    headers,
    signal: o.signal,
    timeoutMs: int('timeoutMs', o.timeoutMs, 30_000, 1, 2 ** 31 - 1),
    retries: int('retries', o.retries, 3, 0, 20),
    retryDelayMs: int('retryDelayMs', o.retryDelayMs, 100, 0, 60_000),
    ifMatch: o.ifMatch ?? node,
    multiRange: o.multiRange ?? node,
    concurrency: int('concurrency', o.concurrency, 16, 1, 1024),
    maxWholeFileBytes: int('maxWholeFileBytes', o.maxWholeFileBytes, 8 * MiB, 0, 2 ** 31),
    cacheBytes: int('cacheBytes', o.cacheBytes, 16 * MiB, 0, 2 ** 40),
    blockSize,
    initialBytes: int('initialBytes', o.initialBytes, 16384, 2048, 64 * MiB),
    maxGapBytes: int('maxGapBytes', o.maxGapBytes, 8192, 0, 64 * MiB),
    maxValueBytes: int('maxValueBytes', o.maxValueBytes, 256 * MiB, 0, 2 ** 32),
    scanBytes: int('scanBytes', o.scanBytes, 4 * MiB, 4096, 256 * MiB),
    readAheadBytes: int('readAheadBytes', o.readAheadBytes, 256, 0, 16 * MiB),
  };
}
