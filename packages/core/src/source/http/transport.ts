// HTTP Range requests for one pinned version of one remote file (docs/REMOTE.md): the
// first read that pins the version, then fetches of byte ranges — several in one request
// (multipart/byteranges) when the server takes them, else one request per range — with a
// bounded number in flight, a timeout per attempt, bounded retries with backoff on 5xx
// and broken connections, and every response checked against the pinned version.
import { BodyError, discardBody, readAtMost, readExact } from './body.js';
import { Semaphore, type AbortFanout } from './concurrency.js';
import { byterangesBoundary, parseByteranges, type Part } from './multipart.js';
import type { RemoteError } from './remote-error.js';
import {
  attempt,
  changedError,
  failStatus,
  remoteError,
  withRetries,
  type CacheMode,
  type RequestContext,
  type TransportCounters,
  type TransportOptions,
} from './request.js';
import { parseContentRange, versionMismatch, versionOf, type ContentRange, type Version } from './validators.js';

/** A byte range [start, end) of the remote file. */
export interface ByteRange {
  start: number;
  end: number;
}

export type { CacheMode, TransportCounters, TransportOptions };

export interface FirstRead {
  /** Bytes from offset 0. */
  bytes: Uint8Array;
  /** True when `bytes` is the whole file. */
  whole: boolean;
  version: Version;
}

/** Statuses after which a multi-range request is retried as single ranges (the server refused the form). */
const MULTI_REFUSED = new Set([400, 413, 416, 431, 501]);
/** Room for each part's boundary and headers in a multipart/byteranges body. */
const PART_OVERHEAD = 512;
/** Longest Range header sent (nginx accepts header lines up to 8 KiB by default). */
const MAX_RANGE_HEADER = 6000;

export class HttpTransport {
  readonly #o: TransportOptions;
  readonly #counters: TransportCounters;
  readonly #ctx: RequestContext;
  readonly #gate: Semaphore;
  #version: Version | undefined;
  #multiRange: boolean;

  constructor(
    options: TransportOptions,
    counters: TransportCounters,
    closing: AbortSignal,
    fanout: AbortFanout,
    cache?: CacheMode,
  ) {
    this.#o = options;
    this.#counters = counters;
    this.#ctx = { o: options, counters, closing, fanout, cache };
    this.#gate = new Semaphore(options.concurrency);
    this.#multiRange = options.multiRange;
  }

  /** Whether ranges still go several to a request (false once the server refused it). */
  get multiRange(): boolean {
    return this.#multiRange;
  }

  /** The first request: bytes [0, length), or the whole file from a server that ignores Range (when small). Pins the version. */
  async first(length: number, signal?: AbortSignal): Promise<FirstRead> {
    const read = await withRetries(this.#ctx, signal, () =>
      this.#attempt(`bytes=0-${length - 1}`, signal, async (res): Promise<FirstRead> => {
        if (res.status === 206) {
          const cr = await this.#contentRange(res);
          if (cr.start !== 0 || cr.end > length || cr.total === undefined) {
            await discardBody(res);
            throw remoteError(
              this.#ctx,
              `asked for bytes 0-${length - 1}, the server sent Content-Range ${res.headers.get('content-range')}`,
              res.status,
            );
          }
          const bytes = await readExact(res, cr.end);
          this.#counters.bytes += bytes.length;
          return { bytes, whole: cr.end === cr.total, version: versionOf(res.headers, cr.total) };
        }
        if (res.status === 200) return this.#wholeFile(res);
        if (res.status === 416) {
          const cr = parseContentRange(res.headers.get('content-range'));
          await discardBody(res);
          // An empty file has no byte 0: the format check then says what it is not.
          if (cr !== undefined && 'unsatisfied' in cr && cr.unsatisfied === 0)
            return { bytes: new Uint8Array(0), whole: true, version: versionOf(res.headers, 0) };
        }
        return failStatus(this.#ctx, res);
      }),
    );
    this.#version = read.version;
    return read;
  }

  /** One request for `range`, conditional on the pinned version when ifMatch is on (Node: no CORS preflight to fear). */
  #attempt<T>(range: string, signal: AbortSignal | undefined, handle: (res: Response) => Promise<T>): Promise<T> {
    const v = this.#version;
    const conditions: Record<string, string> = {};
    if (this.#o.ifMatch && v !== undefined) {
      if (v.etag !== undefined) conditions['If-Match'] = v.etag;
      else if (v.lastModified !== undefined) conditions['If-Unmodified-Since'] = v.lastModified;
    }
    return attempt(this.#ctx, range, conditions, signal, handle);
  }

  /** A server that ignored Range: take the file whole if it is small, else refuse without downloading it. */
  async #wholeFile(res: Response): Promise<FirstRead> {
    await this.#refuseEncoding(res);
    const limit = this.#o.maxWholeFileBytes;
    const declared = Number(res.headers.get('content-length') ?? NaN);
    const refuse = (size: string): RemoteError =>
      remoteError(
        this.#ctx,
        `the server ignores Range requests (HTTP 200 with the whole file, ${size}); only files up to maxWholeFileBytes = ${limit} bytes are taken whole`,
        200,
      );
    if (declared > limit) {
      await discardBody(res);
      throw refuse(`${declared} bytes`);
    }
    let bytes: Uint8Array;
    try {
      bytes = await readAtMost(res, limit);
    } catch (err) {
      if (err instanceof BodyError && err.kind === 'long') throw refuse(`more than ${limit} bytes`);
      throw err;
    }
    this.#counters.bytes += bytes.length;
    return { bytes, whole: true, version: versionOf(res.headers, bytes.length) };
  }

  /** The bytes of each range (sorted, non-overlapping, inside the file), in order. */
  async fetchRanges(ranges: readonly ByteRange[], signal?: AbortSignal): Promise<Uint8Array[]> {
    const out = new Array<Uint8Array>(ranges.length);
    const single = (i: number): Promise<void> =>
      this.#gate
        .run(() => this.#single(ranges[i]!, signal))
        .then((b) => {
          out[i] = b;
        });
    const groups = this.#multiRange && ranges.length > 1 ? packGroups(ranges) : ranges.map((_, i) => [i]);
    await Promise.all(
      groups.map(async (group) => {
        if (group.length === 1 || !this.#multiRange) return Promise.all(group.map(single));
        const got = await this.#gate.run(() =>
          this.#multi(
            group.map((i) => ranges[i]!),
            signal,
          ),
        );
        return Promise.all(
          group.map((i, j) => {
            if (got[j] === undefined) return single(i); // not in the answer: on its own
            out[i] = got[j]!;
            return undefined;
          }),
        );
      }),
    );
    return out;
  }

  async #single(r: ByteRange, signal: AbortSignal | undefined): Promise<Uint8Array> {
    return withRetries(this.#ctx, signal, () =>
      this.#attempt(`bytes=${r.start}-${r.end - 1}`, signal, async (res) => {
        if (res.status === 206) {
          const cr = await this.#contentRange(res);
          if (cr.start !== r.start || cr.end !== r.end) {
            await discardBody(res);
            throw remoteError(
              this.#ctx,
              `asked for bytes ${r.start}-${r.end - 1}, the server sent ${cr.start}-${cr.end - 1}`,
              206,
            );
          }
          const bytes = await readExact(res, r.end - r.start);
          this.#counters.bytes += bytes.length;
          return bytes;
        }
        if (res.status === 200) {
          await discardBody(res);
          throw remoteError(this.#ctx, 'the server ignored the Range header (HTTP 200 with the whole file)', 200);
        }
        return failStatus(this.#ctx, res);
      }),
    );
  }

  /** Several ranges in one request; undefined for each range the answer did not cover. */
  async #multi(rs: readonly ByteRange[], signal: AbortSignal | undefined): Promise<(Uint8Array | undefined)[]> {
    const header = `bytes=${rs.map((r) => `${r.start}-${r.end - 1}`).join(',')}`;
    return withRetries(this.#ctx, signal, () =>
      this.#attempt(header, signal, async (res) => {
        if (res.status === 206) {
          const boundary = byterangesBoundary(res.headers.get('content-type'));
          let parts: Part[];
          if (boundary === undefined) {
            // One part: the server coalesced the ranges into one, or answered only the first.
            const cr = await this.#contentRange(res);
            const span = rs[rs.length - 1]!.end - rs[0]!.start;
            if (cr.end - cr.start > span) {
              await discardBody(res);
              throw remoteError(
                this.#ctx,
                `asked for ${rs.length} ranges within ${span} bytes, the server sent ${cr.end - cr.start}`,
                206,
              );
            }
            parts = [{ ...cr, bytes: await readExact(res, cr.end - cr.start) }];
          } else {
            parts = await this.#parts(res, rs, boundary);
          }
          for (const p of parts) this.#counters.bytes += p.bytes.length;
          const got = rs.map((r) => {
            const p = parts.find((q) => q.start <= r.start && r.end <= q.end);
            return p?.bytes.subarray(r.start - p.start, r.end - p.start);
          });
          if (got.includes(undefined)) this.#multiRange = false;
          return got;
        }
        const refused = res.status === 200 || MULTI_REFUSED.has(res.status);
        if (refused && !(res.status === 416 && this.#sizeChanged(res))) {
          await discardBody(res);
          this.#multiRange = false; // from now on one range per request
          return rs.map(() => undefined);
        }
        return failStatus(this.#ctx, res);
      }),
    );
  }

  async #parts(res: Response, rs: readonly ByteRange[], boundary: string): Promise<Part[]> {
    await this.#refuseEncoding(res);
    const why = versionMismatch(this.#version!, res.headers, undefined);
    if (why !== undefined) {
      await discardBody(res);
      throw changedError(this.#ctx, why, res.status);
    }
    let wanted = 0;
    for (const r of rs) wanted += r.end - r.start;
    const limit = wanted + PART_OVERHEAD * (rs.length + 1);
    const declared = Number(res.headers.get('content-length') ?? NaN);
    // A declared length within the bound: one buffer of that size, no chunks to join.
    const body =
      Number.isSafeInteger(declared) && declared <= limit ? await readExact(res, declared) : await readAtMost(res, limit);
    let parts: Part[];
    try {
      parts = parseByteranges(body, boundary);
    } catch (err) {
      throw remoteError(this.#ctx, `a malformed multipart/byteranges answer: ${(err as Error).message}`, 206);
    }
    for (const p of parts) {
      if (p.total === undefined) throw remoteError(this.#ctx, 'a multipart part without the file size in its Content-Range', 206);
      if (p.total !== this.#version!.size)
        throw changedError(this.#ctx, `its size is now ${p.total} bytes, was ${this.#version!.size}`, 206);
    }
    return parts;
  }

  /** The Content-Range of a 206, checked against the pinned version (and Content-Encoding refused). */
  async #contentRange(res: Response): Promise<ContentRange> {
    await this.#refuseEncoding(res);
    const cr = parseContentRange(res.headers.get('content-range'));
    if (cr === undefined || 'unsatisfied' in cr) {
      await discardBody(res);
      throw remoteError(
        this.#ctx,
        `a 206 answer without a Content-Range this reader can use (${res.headers.get('content-range') ?? 'none visible'}; from a browser the server must send Access-Control-Expose-Headers: Content-Range, ETag)`,
        206,
      );
    }
    if (this.#version !== undefined) {
      if (cr.total === undefined) {
        await discardBody(res);
        throw remoteError(
          this.#ctx,
          `a Content-Range without the file size (${res.headers.get('content-range')}): the version cannot be checked`,
          206,
        );
      }
      const why = versionMismatch(this.#version, res.headers, cr.total);
      if (why !== undefined) {
        await discardBody(res);
        throw changedError(this.#ctx, why, 206);
      }
    }
    return cr;
  }

  async #refuseEncoding(res: Response): Promise<void> {
    const enc = res.headers.get('content-encoding');
    if (enc !== null && enc.trim() !== '' && enc.trim().toLowerCase() !== 'identity') {
      await discardBody(res);
      throw remoteError(
        this.#ctx,
        `the server answered a range with Content-Encoding: ${enc} (byte offsets would not be the file's)`,
        res.status,
      );
    }
  }

  #sizeChanged(res: Response): boolean {
    const cr = parseContentRange(res.headers.get('content-range'));
    return cr !== undefined && 'unsatisfied' in cr && cr.unsatisfied !== this.#version?.size;
  }
}

/** Splits sorted ranges into multi-range requests whose Range header stays under MAX_RANGE_HEADER. */
function packGroups(ranges: readonly ByteRange[]): number[][] {
  const groups: number[][] = [];
  let group: number[] = [];
  let length = 6; // "bytes="
  ranges.forEach((r, i) => {
    const add = String(r.start).length + String(r.end - 1).length + 2;
    if (group.length > 0 && length + add > MAX_RANGE_HEADER) {
      groups.push(group);
      group = [];
      length = 6;
    }
    group.push(i);
    length += add;
  });
  if (group.length > 0) groups.push(group);
  return groups;
}
