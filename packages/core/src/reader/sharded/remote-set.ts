// openRemoteSet(): a sharded set on a web server, CDN or object store (docs/SHARDS.md
// §Remote). The manifest comes first (or CURRENT, then the manifest it names); a shard
// is opened on first use, through `openShard` — the remote file reader (openRemote of
// @mmcdb/core/remote) or anything with its async API — and checked against the manifest
// before it answers. Browser-safe: fetch and TextDecoder only, no node: modules, no Buffer.
import type { Bytes } from '../../util/bytes.js';
import { CdbError } from '../../util/errors.js';
import { hashReady } from '../../util/hash.js';
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

export interface RemoteSetOptions {
  /** Opens one shard file by URL: openRemote(url, options) of @mmcdb/core/remote, or your own. */
  openShard: (url: string) => Promise<RemoteShard>;
  /** The fetch for CURRENT and the manifest (default globalThis.fetch). */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Extra request headers for them (e.g. Authorization). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** The URL of the manifest to read: `…/manifest.json` as given, else the set prefix's CURRENT is followed. */
async function manifestUrl(url: URL, get: (u: URL) => Promise<string>): Promise<URL> {
  if (url.pathname.endsWith(`/${MANIFEST_NAME}`)) return url;
  const prefix = new URL(url.href.endsWith('/') ? url.href : `${url.href}/`);
  const current = new URL(CURRENT_NAME, prefix);
  const name = parseCurrent(await get(current), shown(current));
  return new URL(`${name}/${MANIFEST_NAME}`, prefix);
}

/** A URL without its query string (which may hold credentials), for messages. */
function shown(u: URL): string {
  return `${u.origin}${u.pathname}`;
}

/** GET a small text object, refused beyond MAX_MANIFEST_BYTES (checked as it streams in). */
async function fetchText(u: URL, o: RemoteSetOptions): Promise<string> {
  const f = o.fetch ?? (globalThis.fetch as RemoteSetOptions['fetch']);
  if (typeof f !== 'function') throw new TypeError('no fetch() here: pass options.fetch');
  let res: Response;
  try {
    res = await f(u.href, { headers: o.headers ?? {}, ...(o.signal !== undefined && { signal: o.signal }) });
  } catch (err) {
    throw new CdbError('ERR_CDB_SHARD', `cannot fetch ${u.pathname.split('/').pop()}: ${(err as Error).message}`, {
      path: shown(u),
      cause: err,
    });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new CdbError('ERR_CDB_SHARD', `cannot fetch ${u.pathname.split('/').pop()}: HTTP ${res.status}`, { path: shown(u) });
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > MAX_MANIFEST_BYTES) {
    await res.body?.cancel();
    throw new CdbError('ERR_CDB_FORMAT', `not a valid set manifest: ${declared} bytes, the limit is ${MAX_MANIFEST_BYTES}`, {
      path: shown(u),
    });
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const step = reader === undefined ? { done: true as const, value: undefined } : await reader.read();
    if (step.done) break;
    total += step.value.length;
    if (total > MAX_MANIFEST_BYTES) {
      await reader!.cancel();
      throw new CdbError('ERR_CDB_FORMAT', `not a valid set manifest: more than ${MAX_MANIFEST_BYTES} bytes`, { path: shown(u) });
    }
    chunks.push(step.value);
  }
  const all = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    all.set(c, at);
    at += c.length;
  }
  return new TextDecoder().decode(all);
}

/** Opens a sharded set over HTTP: `url` is a set prefix (CURRENT followed) or a version's manifest.json. */
export async function openRemoteSet(url: string | URL, options: RemoteSetOptions): Promise<RemoteSetReader> {
  if (options === null || typeof options !== 'object' || typeof options.openShard !== 'function') {
    throw new TypeError(
      'options.openShard must be a function (url) => Promise<shard reader>, e.g. openRemote from @mmcdb/core/remote',
    );
  }
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`not a valid URL: ${String(url).split('?')[0]}`);
  }
  await hashReady;
  const mu = await manifestUrl(u, (x) => fetchText(x, options));
  const manifest = parseManifest(await fetchText(mu, options), shown(mu));
  return new RemoteSetReader(mu, manifest, options);
}

export class RemoteSetReader {
  readonly url: string;
  readonly manifest: SetManifest;
  readonly #base: URL;
  readonly #open: RemoteSetOptions['openShard'];
  readonly #shards: (Promise<RemoteShard> | undefined)[];
  #closed = false;

  /** @internal Use openRemoteSet(). */
  constructor(manifestUrl: URL, manifest: SetManifest, options: RemoteSetOptions) {
    this.url = shown(manifestUrl);
    this.manifest = manifest;
    this.#base = manifestUrl;
    this.#open = options.openShard;
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
    const where = shown(u);
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
