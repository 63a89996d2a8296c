// One HTTP request of the remote reader, done right (docs/REMOTE.md §Errors): a timeout
// over the whole exchange (headers and body), the caller's and the reader's AbortSignals,
// bounded retries with exponential backoff (and Retry-After) for what may pass — 5xx,
// 429, a reset or cut connection — and every other outcome mapped to one CdbError.
import { CdbError } from '../../util/errors.js';
import { BodyError, discardBody } from './body.js';
import { sleep, type AbortFanout } from './concurrency.js';
import { RemoteError } from './remote-error.js';

/** RequestInit.cache (missing from Node's RequestInit type): reopen() uses 'no-cache'. */
export type CacheMode = 'default' | 'no-store' | 'reload' | 'no-cache' | 'force-cache';

export interface TransportOptions {
  url: string;
  /** The URL as errors show it (no query string: it may hold a signature). */
  shownUrl: string;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  headers: Record<string, string>;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  ifMatch: boolean;
  multiRange: boolean;
  concurrency: number;
  maxWholeFileBytes: number;
  signal: AbortSignal | undefined;
}

/** What every transport of one reader adds to (stats()). */
export interface TransportCounters {
  requests: number;
  bytes: number;
  retries: number;
}

export interface RequestContext {
  readonly o: TransportOptions;
  readonly counters: TransportCounters;
  /** Aborted by close(). */
  readonly closing: AbortSignal;
  /** close() and options.signal, for every request of the reader. */
  readonly fanout: AbortFanout;
  readonly cache: CacheMode | undefined;
}

/** Failures worth another attempt: 5xx, 429, a reset or cut connection. */
class Transient extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
    cause?: unknown,
  ) {
    super(message, { cause });
  }
}

export function remoteError(ctx: RequestContext, message: string, status?: number, cause?: unknown): RemoteError {
  return new RemoteError('ERR_CDB_REMOTE', message, { url: ctx.o.shownUrl, status, cause });
}

export function changedError(ctx: RequestContext, why: string, status: number): RemoteError {
  return new RemoteError('ERR_CDB_CHANGED', `the file changed on the server: ${why} (reopen() to read the new version)`, {
    url: ctx.o.shownUrl,
    status,
  });
}

/** Any status the caller did not expect: 412/416 mean a new version, 5xx/429 are retried, the rest fail. */
export async function failStatus(ctx: RequestContext, res: Response): Promise<never> {
  await discardBody(res);
  const status = res.status;
  if (status === 412) throw changedError(ctx, 'the server says the pinned version no longer matches (HTTP 412)', status);
  if (status === 416) throw changedError(ctx, 'a range inside the pinned file is no longer satisfiable (HTTP 416)', status);
  const text = `HTTP ${status}${res.statusText ? ` ${res.statusText}` : ''}`;
  if (status >= 500 || status === 429) {
    const after = Number(res.headers.get('retry-after'));
    throw new Transient(text, status, Number.isFinite(after) && after >= 0 ? Math.min(after * 1000, 5000) : undefined);
  }
  throw remoteError(ctx, text, status);
}

/**
 * `attempt()` until it succeeds, fails for good, or has failed transiently 1 + retries
 * times (then ERR_CDB_REMOTE with the last status or cause).
 */
export async function withRetries<T>(
  ctx: RequestContext,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt();
    } catch (err) {
      if (!(err instanceof Transient)) throw err;
      if (n >= ctx.o.retries)
        throw remoteError(ctx, `${err.message}${n > 0 ? ` (${n + 1} attempts)` : ''}`, err.status, err.cause);
      ctx.counters.retries++;
      const backoff = ctx.o.retryDelayMs * 2 ** n * (0.75 + Math.random() / 2);
      const { controller, release } = ctx.fanout.controller(signal);
      try {
        await sleep(Math.min(Math.max(backoff, err.retryAfterMs ?? 0), 10_000), controller.signal);
      } catch (reason) {
        throwIfStopped(ctx, signal, reason);
        throw reason;
      } finally {
        release();
      }
    }
  }
}

/**
 * One request with `Range: range` (none when range is '': a small object read whole, such
 * as a sharded set's CURRENT or manifest) and `extra` headers; `handle` reads the
 * response within the same timeout.
 */
export async function attempt<T>(
  ctx: RequestContext,
  range: string,
  extra: Record<string, string>,
  signal: AbortSignal | undefined,
  handle: (res: Response) => Promise<T>,
): Promise<T> {
  const { controller, release } = ctx.fanout.controller(signal);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort(new Error('timeout'));
  }, ctx.o.timeoutMs);
  try {
    ctx.counters.requests++;
    // Accept-Encoding: identity — offsets are the file's only in the identity coding (browsers drop it: a forbidden header).
    const ranged: Record<string, string> = range !== '' ? { Range: range } : {};
    const init: RequestInit & { cache?: CacheMode } = {
      headers: { ...ctx.o.headers, ...extra, ...ranged, 'Accept-Encoding': 'identity' },
      signal: controller.signal,
    };
    if (ctx.cache !== undefined) init.cache = ctx.cache;
    const res = await ctx.o.fetch(ctx.o.url, init);
    return await handle(res);
  } catch (err) {
    if (timedOut) throw remoteError(ctx, `no complete answer within timeoutMs = ${ctx.o.timeoutMs} ms`, undefined, err);
    throwIfStopped(ctx, signal, err);
    if (err instanceof CdbError || err instanceof Transient) throw err;
    if (err instanceof BodyError) {
      if (err.kind === 'long') throw remoteError(ctx, err.message, undefined, err);
      throw new Transient(err.message, undefined, undefined, err.cause ?? err);
    }
    // fetch() rejects with a TypeError for network errors (refused, reset, DNS): worth a retry.
    if (err instanceof TypeError) throw new Transient(`the request failed: ${causeText(err)}`, undefined, undefined, err);
    throw remoteError(ctx, `the request failed: ${causeText(err)}`, undefined, err);
  } finally {
    clearTimeout(timer);
    release();
  }
}

function throwIfStopped(ctx: RequestContext, signal: AbortSignal | undefined, cause: unknown): void {
  if (ctx.closing.aborted) throw new CdbError('ERR_CDB_CLOSED', 'reader closed during the read', { path: ctx.o.shownUrl });
  const s = signal?.aborted ? signal : ctx.o.signal?.aborted ? ctx.o.signal : undefined;
  if (s !== undefined)
    throw new CdbError('ERR_CDB_ABORTED', 'the read was aborted', { path: ctx.o.shownUrl, cause: s.reason ?? cause });
}

function causeText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  const inner = e.cause?.code ?? e.cause?.message;
  return `${e.message ?? String(err)}${inner !== undefined ? ` (${inner})` : ''}`;
}
