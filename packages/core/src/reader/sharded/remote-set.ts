// openRemoteSet(): a sharded set on a web server, CDN or object store (docs/SHARDS.md
// §Remote). The manifest comes first (or CURRENT, then the manifest it names); a shard
// is opened on first use, through `openShard` — by default the remote file reader,
// openRemote() with the set's options, or anything with its async API — and checked
// against the manifest before it answers. CURRENT and the manifest are fetched by the
// remote reader's request rules (source/http/request.ts), so their failures are its
// RemoteErrors (ERR_CDB_REMOTE). Browser-safe: no node: modules, no Buffer.
import type { Bytes } from '../../util/bytes.js';
import { CdbError } from '../../util/errors.js';
import { hashReady } from '../../util/hash.js';
import { BodyError, readAtMost } from '../../source/http/body.js';
import { AbortFanout } from '../../source/http/concurrency.js';
import { redactUrl } from '../../source/http/remote-error.js';
import { attempt, failStatus, withRetries, type RequestContext } from '../../source/http/request.js';
import {
  checkShardIdentity,
  CURRENT_NAME,
  MANIFEST_NAME,
  MAX_MANIFEST_BYTES,
  parseCurrent,
  parseManifest,
  readShardIdentity,
  type SetManifest,
} from '../../format/sharded/manifest.js';
import { shardOf } from '../../format/sharded/partition.js';
import { openRemote } from '../remote/open-remote.js';
import { resolveOptions, type RemoteOptions } from '../remote/options.js';
import { groupByShard, scatter } from './batches.js';

/** What a set reads its shards through: the async API of @mmcdb/core/remote's RemoteReader. */
export interface RemoteShard {
  readonly format: 'mmcdb' | 'classic';
  /** The file's size in bytes, when the reader knows it. */
  readonly fileSize?: number;
  readonly size: Promise<number>;
  readonly metadata: Promise<unknown>;
  get(key: Bytes): Promise<Uint8Array | undefined>;
  getAll(key: Bytes): Promise<Uint8Array[]>;
  has(key: Bytes): Promise<boolean>;
  getMany(keys: readonly Bytes[]): Promise<(Uint8Array | undefined)[]>;
  entries(): AsyncIterable<[Uint8Array, Uint8Array]>;
  close(): unknown;
}

/**
 * openRemote()'s options (docs/REMOTE.md §Options): `fetch`, `headers`, `signal`,
 * `timeoutMs`, `retries` and `retryDelayMs` apply to CURRENT and the manifest too; all of
 * them to every shard opened by the default `openShard`.
 */
export interface RemoteSetOptions extends RemoteOptions {
  /** Opens one shard file by URL. Default: openRemote(url, these options) of @mmcdb/core/remote; or your own reader. */
  openShard?: (url: string) => Promise<RemoteShard>;
}

/** The URL of the manifest to read: `…/manifest.json` as given, else the set prefix's CURRENT is followed. */
async function manifestUrl(url: URL, get: (u: URL) => Promise<string>): Promise<URL> {
  if (url.pathname.endsWith(`/${MANIFEST_NAME}`)) return url;
  // …/CURRENT names it itself; any other URL is the set's prefix (with or without its '/').
  const current = url.pathname.endsWith(`/${CURRENT_NAME}`)
    ? url
    : new URL(CURRENT_NAME, url.pathname.endsWith('/') ? url : new URL(`${url.pathname}/`, url));
  const name = parseCurrent(await get(current), redactUrl(current.href));
  return new URL(`${name}/${MANIFEST_NAME}`, current);
}

/**
 * GET a small text object (CURRENT, a manifest) whole: the remote reader's request rules
 * (timeout, signals, bounded retries of 5xx / 429 / resets; every other failure a
 * RemoteError ERR_CDB_REMOTE with the status), refused beyond MAX_MANIFEST_BYTES
 * (ERR_CDB_FORMAT: checked on Content-Length, then as it streams in).
 */
async function fetchText(u: URL, options: RemoteOptions): Promise<string> {
  const o = resolveOptions(u, options);
  const ctx: RequestContext = {
    o,
    counters: { requests: 0, bytes: 0, retries: 0 },
    closing: new AbortController().signal,
    fanout: new AbortFanout([o.signal]),
    cache: undefined,
  };
  const tooLarge = (what: string): CdbError =>
    new CdbError('ERR_CDB_FORMAT', `not a valid set manifest: ${what}, the limit is ${MAX_MANIFEST_BYTES}`, { path: o.shownUrl });
  const bytes = await withRetries(ctx, undefined, () =>
    attempt(ctx, '', {}, undefined, async (res) => {
      if (res.status !== 200) return failStatus(ctx, res);
      const declared = Number(res.headers.get('content-length') ?? Number.NaN);
      if (declared > MAX_MANIFEST_BYTES) {
        await res.body?.cancel().catch(() => undefined);
        throw tooLarge(`${declared} bytes`);
      }
      try {
        return await readAtMost(res, MAX_MANIFEST_BYTES);
      } catch (err) {
        if (err instanceof BodyError && err.kind === 'long') throw tooLarge(`more than ${MAX_MANIFEST_BYTES} bytes`);
        throw err;
      }
    }),
  );
  return new TextDecoder().decode(bytes);
}

/** Opens a sharded set over HTTP: `url` is a set prefix (CURRENT followed) or a version's manifest.json. */
export async function openRemoteSet(url: string | URL, options: RemoteSetOptions = {}): Promise<RemoteSetReader> {
  if (options === null || typeof options !== 'object') throw new TypeError('options must be an object');
  const { openShard, ...fileOptions } = options;
  if (openShard !== undefined && typeof openShard !== 'function') {
    throw new TypeError(
      'options.openShard must be a function (url) => Promise<shard reader>, e.g. (u) => openRemote(u) of @mmcdb/core/remote',
    );
  }
  const u = new URL(resolveOptions(url, fileOptions).url); // TypeError for a bad URL or option, without its query string
  await hashReady;
  const mu = await manifestUrl(u, (x) => fetchText(x, fileOptions));
  const manifest = parseManifest(await fetchText(mu, fileOptions), redactUrl(mu.href));
  return new RemoteSetReader(mu, manifest, openShard ?? ((shard) => openRemote(shard, fileOptions)));
}

export class RemoteSetReader {
  readonly url: string;
  readonly manifest: SetManifest;
  readonly #base: URL;
  readonly #open: (url: string) => Promise<RemoteShard>;
  readonly #shards: (Promise<RemoteShard> | undefined)[];
  #closed = false;

  /** @internal Use openRemoteSet(). */
  constructor(manifestUrl: URL, manifest: SetManifest, openShard: (url: string) => Promise<RemoteShard>) {
    this.url = redactUrl(manifestUrl.href);
    this.manifest = manifest;
    this.#base = manifestUrl;
    this.#open = openShard;
    this.#shards = new Array<Promise<RemoteShard> | undefined>(manifest.shards).fill(undefined);
  }

  get format(): 'mmcdb' | 'classic' {
    return this.manifest.format;
  }

  get size(): Promise<number> {
    return this.#live().then(() => this.manifest.records);
  }

  get metadata(): Promise<unknown> {
    return this.#live().then(() => this.manifest.metadata);
  }

  /** Shards opened so far. */
  get openShards(): number {
    return this.#shards.filter((s) => s !== undefined).length;
  }

  async get(key: Bytes): Promise<Uint8Array | undefined> {
    return (await this.#shardOf(key)).get(key);
  }

  async getAll(key: Bytes): Promise<Uint8Array[]> {
    return (await this.#shardOf(key)).getAll(key);
  }

  async has(key: Bytes): Promise<boolean> {
    return (await this.#shardOf(key)).has(key);
  }

  async getString(key: Bytes, encoding = 'utf-8'): Promise<string | undefined> {
    const v = await this.get(key);
    return v === undefined ? undefined : new TextDecoder(encoding).decode(v);
  }

  /** First values of many keys: one getMany per shard touched, all in flight together. */
  async getMany(keys: readonly Bytes[]): Promise<(Uint8Array | undefined)[]> {
    await this.#live();
    if (!Array.isArray(keys)) throw new TypeError('keys must be an array');
    const groups = groupByShard(keys, (k) => shardOf(k, this.manifest.seed, this.manifest.shards));
    const parts = await Promise.all(groups.map(async (g) => (await this.#shard(g.shard)).getMany(g.keys)));
    return scatter(keys.length, groups, parts);
  }

  /** Every record, shard by shard. */
  async *entries(): AsyncGenerator<[Uint8Array, Uint8Array]> {
    for (let i = 0; i < this.manifest.shards; i++) {
      await this.#live();
      yield* (await this.#shard(i)).entries();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const open = this.#shards.filter((s): s is Promise<RemoteShard> => s !== undefined);
    this.#shards.fill(undefined);
    await Promise.all(open.map((p) => p.then((s) => s.close()).catch(() => undefined)));
  }

  async #live(): Promise<void> {
    if (this.#closed) throw new CdbError('ERR_CDB_CLOSED', 'reader is closed', { path: this.url });
  }

  async #shardOf(key: Bytes): Promise<RemoteShard> {
    await this.#live();
    return this.#shard(shardOf(key, this.manifest.seed, this.manifest.shards));
  }

  /** Shard i, opened once (concurrent callers share the open) and checked against the manifest. */
  #shard(i: number): Promise<RemoteShard> {
    let p = this.#shards[i];
    if (p === undefined) {
      p = this.#openChecked(i);
      this.#shards[i] = p;
      p.catch(() => {
        if (this.#shards[i] === p) this.#shards[i] = undefined; // a later call tries again
      });
    }
    return p;
  }

  async #openChecked(i: number): Promise<RemoteShard> {
    const m = this.manifest;
    const entry = m.files[i]!;
    const u = new URL(entry.file, this.#base);
    const where = redactUrl(u.href);
    const s = await this.#open(u.href);
    try {
      const fail = (msg: string): never => {
        throw new CdbError('ERR_CDB_SHARD', msg, { path: where });
      };
      if (s.fileSize !== undefined && s.fileSize !== entry.bytes)
        fail(`shard ${i} is ${s.fileSize} bytes; the manifest says ${entry.bytes}`);
      if (s.format !== m.format) fail(`shard ${i} is a ${s.format} file; the set's shards are ${m.format}`);
      if (m.format === 'mmcdb') {
        checkShardIdentity(readShardIdentity(await s.metadata), m, i, where);
        const records = await s.size;
        if (records !== entry.records) fail(`shard ${i} holds ${records} records; the manifest says ${entry.records}`);
      }
    } catch (err) {
      await s.close();
      throw err;
    }
    return s;
  }
}
