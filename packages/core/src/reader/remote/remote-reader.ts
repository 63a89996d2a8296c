// RemoteReader: the async counterpart of Reader for a database on a web server, CDN or
// object store (docs/REMOTE.md, docs/api.md §Remote). It owns the closed and changed
// states; the format objects (mmcdb-remote.ts, classic-remote.ts) do the lookups.
import { CdbError, isCdbError } from '../../util/errors.js';
import type { RangeReader, CacheCounters } from '../../source/http/range-reader.js';
import type { CacheMode, HttpTransport, TransportCounters } from '../../source/http/transport.js';
import type { Version } from '../../source/http/validators.js';
import type { ClassicLayout, ClassicRemote } from './classic-remote.js';
import { checkKeyList, keyBytes, type RemoteKey } from './keys.js';
import { runLookups } from './lookup.js';
import type { MmcdbLayout, MmcdbRemote } from './mmcdb-remote.js';
import type { ResolvedOptions } from './options.js';
import type { Want } from './records.js';

/** One opened version of the remote file. */
export interface RemoteState {
  readonly db: MmcdbRemote | ClassicRemote;
  readonly source: RangeReader;
  readonly transport: HttpTransport;
  readonly version: Version;
}

export type Counters = TransportCounters & CacheCounters;
/** Opens the current version again (reopen()). */
type OpenState = (cache?: CacheMode) => Promise<RemoteState>;

export interface CallOptions {
  /** Aborts this call (ERR_CDB_ABORTED). */
  signal?: AbortSignal;
}

export interface RemoteStats {
  /** The URL without its query string. */
  url: string;
  format: 'mmcdb' | 'classic';
  fileSize: number;
  etag: string | undefined;
  lastModified: string | undefined;
  /** HTTP requests made (every attempt counts), since openRemote(). */
  requests: number;
  /** Body bytes received. */
  bytesFetched: number;
  retries: number;
  /** Blocks served from the cache / fetched. */
  cacheHits: number;
  cacheMisses: number;
  cacheBytes: number;
  cacheLimit: number;
  blockSize: number;
  /** The whole file is in memory (small, or from a server that ignored Range): no more requests. */
  wholeFile: boolean;
  /** Several ranges per request (false when off, or once the server refused). */
  multiRange: boolean;
  /** Versions opened by reopen() that differed from the previous one. */
  reopens: number;
}

export class RemoteReader implements AsyncIterable<[Uint8Array, Uint8Array]> {
  /** The URL as given. */
  readonly url: string;
  readonly #o: ResolvedOptions;
  readonly #counters: Counters;
  readonly #closing: AbortController;
  readonly #openState: OpenState;
  #state: RemoteState;
  #closed = false;
  /** The ERR_CDB_CHANGED that this version met: every later call fails with it until reopen(). */
  #changed: CdbError | undefined;
  #metadata: Promise<unknown> | undefined;
  #reopens = 0;

  /** @internal Use openRemote(). */
  constructor(o: ResolvedOptions, state: RemoteState, counters: Counters, closing: AbortController, openState: OpenState) {
    this.url = o.url;
    this.#o = o;
    this.#state = state;
    this.#counters = counters;
    this.#closing = closing;
    this.#openState = openState;
  }

  get format(): 'mmcdb' | 'classic' {
    return this.#state.db.format;
  }

  /** Size of the version opened, in bytes. */
  get fileSize(): number {
    return this.#state.version.size;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** What pins the version opened: strong ETag, else Last-Modified, and the size. */
  get version(): Readonly<Version> {
    return { ...this.#state.version };
  }

  /** Records (mmcdb: from the header; classic: non-empty slots, counted by reading the tables once). */
  get size(): Promise<number> {
    return this.#call(undefined, (s, signal) =>
      s.db.format === 'mmcdb' ? s.db.size() : s.db.size(s.source, this.#o.scanBytes, signal),
    );
  }

  /** The JSON metadata stored at build time, or undefined (one request the first time, for a large file). */
  get metadata(): Promise<unknown> {
    return this.#call(undefined, async (s, signal) => {
      const state = s;
      this.#metadata ??= s.db.metadataText(s.source, signal).then((text) => {
        if (text === undefined) return undefined;
        try {
          return JSON.parse(text) as unknown;
        } catch (err) {
          throw new CdbError('ERR_CDB_FORMAT', 'metadata is not valid JSON', { path: this.#o.shownUrl, cause: err });
        }
      });
      const p = this.#metadata;
      p.catch(() => {
        if (this.#metadata === p && this.#state === state) this.#metadata = undefined;
      });
      return p;
    });
  }

  /** The first value stored under `key`, or undefined. */
  async get(key: RemoteKey, options?: CallOptions): Promise<Uint8Array | undefined> {
    return (await this.#lookup([keyBytes(key)], 'first', options))[0]![0];
  }

  /** Every value stored under `key`, in insertion order ([] when none). */
  async getAll(key: RemoteKey, options?: CallOptions): Promise<Uint8Array[]> {
    return (await this.#lookup([keyBytes(key)], 'all', options))[0]!;
  }

  /** Whether `key` has a value (reads slots and the key, not the value). */
  async has(key: RemoteKey, options?: CallOptions): Promise<boolean> {
    return (await this.#lookup([keyBytes(key)], 'exists', options))[0]!.length > 0;
  }

  /** The first value decoded as text (TextDecoder label, default UTF-8), or undefined. */
  async getString(key: RemoteKey, encoding = 'utf-8', options?: CallOptions): Promise<string | undefined> {
    const decoder = new TextDecoder(encoding);
    const v = await this.get(key, options);
    return v === undefined ? undefined : decoder.decode(v);
  }

  /** First values of many keys, in order: slots of all keys in one round, their records in the next. */
  async getMany(keys: readonly RemoteKey[], options?: CallOptions): Promise<(Uint8Array | undefined)[]> {
    checkKeyList(keys);
    return (await this.#lookup(keys.map(keyBytes), 'first', options)).map((v) => v[0]);
  }

  #lookup(keys: Uint8Array[], want: Want, options: CallOptions | undefined): Promise<Uint8Array[][]> {
    return this.#call(options?.signal, (s, signal) =>
      runLookups(
        keys.map((k) => s.db.lookup(k, want)),
        (ranges) => s.source.read(ranges, signal),
      ),
    );
  }

  /** [key, value] of every record in file order, the file streamed in `scanBytes` ranges. */
  async *entries(options?: CallOptions): AsyncGenerator<[Uint8Array, Uint8Array]> {
    const s = this.#check();
    const it = s.db.entries(s.source, this.#o.scanBytes, options?.signal);
    for (;;) {
      const step = await this.#call(options?.signal, () => it.next(), s);
      if (step.done) return;
      yield step.value;
    }
  }

  /**
   * Calls fn(key, value) for entries()'s records until fn returns false (or a Promise of
   * false: it is waited for); resolves to the records fn was called with.
   */
  async forEach(fn: (key: Uint8Array, value: Uint8Array) => unknown, options?: CallOptions): Promise<number> {
    if (typeof fn !== 'function') throw new TypeError(`forEach() takes a function, got ${typeof fn}`);
    let visited = 0;
    for await (const [k, v] of this.entries(options)) {
      visited++;
      let r = fn(k, v);
      if (r instanceof Promise) r = await r;
      if (r === false) break;
    }
    return visited;
  }

  async *keys(options?: CallOptions): AsyncGenerator<Uint8Array> {
    for await (const [k] of this.entries(options)) yield k;
  }

  async *values(options?: CallOptions): AsyncGenerator<Uint8Array> {
    for await (const [, v] of this.entries(options)) yield v;
  }

  [Symbol.asyncIterator](): AsyncGenerator<[Uint8Array, Uint8Array]> {
    return this.entries();
  }

  /** What the header (mmcdb) or the TOC (classic) says about the index; no request. */
  layout(): MmcdbLayout | ClassicLayout {
    return this.#check().db.layout();
  }

  stats(): RemoteStats {
    const s = this.#check();
    const c = this.#counters;
    return {
      url: this.#o.shownUrl,
      format: s.db.format,
      fileSize: s.version.size,
      etag: s.version.etag,
      lastModified: s.version.lastModified,
      requests: c.requests,
      bytesFetched: c.bytes,
      retries: c.retries,
      cacheHits: c.hits,
      cacheMisses: c.misses,
      cacheBytes: s.source.cache.bytes,
      cacheLimit: this.#o.cacheBytes,
      blockSize: this.#o.blockSize,
      wholeFile: s.source.whole,
      multiRange: s.transport.multiRange,
      reopens: this.#reopens,
    };
  }

  /**
   * Opens the file again (one request, past a browser's HTTP cache). Resolves true when it
   * is a new version — the cache starts empty and later calls read it — false when it is
   * the same (the cache is kept).
   */
  async reopen(): Promise<boolean> {
    this.#check(true);
    const next = await this.#openState('no-cache');
    this.#check(true);
    const old = this.#state.version;
    const same =
      next.version.size === old.size && next.version.etag === old.etag && next.version.lastModified === old.lastModified;
    if (same && this.#changed === undefined) return false;
    this.#state = next;
    this.#changed = undefined;
    this.#metadata = undefined;
    this.#reopens++;
    return true;
  }

  /** Aborts requests in flight and drops the cache. Later calls fail with ERR_CDB_CLOSED; a second close() does nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closing.abort();
    this.#state.source.cache.clear();
  }

  #check(allowChanged = false): RemoteState {
    if (this.#closed) throw new CdbError('ERR_CDB_CLOSED', 'reader is closed', { path: this.#o.shownUrl });
    if (this.#changed !== undefined && !allowChanged) {
      throw new CdbError('ERR_CDB_CHANGED', this.#changed.reason, { path: this.#o.shownUrl, cause: this.#changed });
    }
    return this.#state;
  }

  /** Runs `fn` on the current version; an ERR_CDB_CHANGED it meets marks that version stale. */
  async #call<T>(
    signal: AbortSignal | undefined,
    fn: (s: RemoteState, signal: AbortSignal | undefined) => Promise<T>,
    pinned?: RemoteState,
  ): Promise<T> {
    const s = this.#check();
    if (pinned !== undefined && pinned !== s) {
      throw new CdbError('ERR_CDB_CHANGED', 'the reader was reopened on a new version during the iteration', {
        path: this.#o.shownUrl,
      });
    }
    try {
      return await fn(s, signal);
    } catch (err) {
      if (isCdbError(err, 'ERR_CDB_CHANGED') && this.#state === s) this.#changed = err;
      if (this.#closed && !isCdbError(err, 'ERR_CDB_CLOSED'))
        throw new CdbError('ERR_CDB_CLOSED', 'reader closed during the read', { path: this.#o.shownUrl, cause: err });
      throw err;
    }
  }
}
