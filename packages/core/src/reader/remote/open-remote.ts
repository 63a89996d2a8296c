// openRemote(): one request (the first `initialBytes` of the file, or all of a small one),
// the format detected from those bytes and its header or TOC checked by the shared codec,
// exactly as a local open does (FORMAT.md §Header, CLASSIC.md §Detection).
import { decodeToc, TOC_SIZE } from '../../format/classic/codec.js';
import { decodeHeader, HEADER_SIZE } from '../../format/mmcdb/codec.js';
import { detectFormat } from '../../format/detect.js';
import { hashReady } from '../../util/hash.js';
import { RangeReader } from '../../source/http/range-reader.js';
import { AbortFanout } from '../../source/http/concurrency.js';
import { HttpTransport, type CacheMode } from '../../source/http/transport.js';
import { ClassicRemote } from './classic-remote.js';
import { MmcdbRemote } from './mmcdb-remote.js';
import { resolveOptions, type RemoteOptions, type ResolvedOptions } from './options.js';
import { isSetUrl } from '../sharded/set-url.js';
import { RemoteReader, type Counters, type RemoteState } from './remote-reader.js';

/**
 * Opens a database over HTTP(S): mmcdb or classic cdb, detected from its first bytes. A
 * sharded set's URL (…/manifest.json, …/CURRENT) is refused with a TypeError naming
 * openRemoteSet(), which opens it (and its shards through this).
 */
export async function openRemote(url: string | URL, options: RemoteOptions = {}): Promise<RemoteReader> {
  const o = resolveOptions(url, options);
  if (isSetUrl(new URL(o.url))) {
    throw new TypeError(
      `${o.shownUrl} names a sharded set, not a file: open it with openRemoteSet(url) (docs/SHARDS.md §Remote)`,
    );
  }
  await hashReady;
  const counters: Counters = { requests: 0, bytes: 0, retries: 0, hits: 0, misses: 0 };
  const closing = new AbortController();
  const fanout = new AbortFanout([closing.signal, o.signal]);
  const state = await openState(o, counters, closing.signal, fanout);
  return new RemoteReader(o, state, counters, closing, (cache) => openState(o, counters, closing.signal, fanout, cache));
}

/** The first request and the header checks; `cache` lets reopen() skip a browser's HTTP cache. */
export async function openState(
  o: ResolvedOptions,
  counters: Counters,
  closing: AbortSignal,
  fanout: AbortFanout,
  cache?: CacheMode,
): Promise<RemoteState> {
  const transport = new HttpTransport(o, counters, closing, fanout, cache);
  const first = await transport.first(o.initialBytes);
  const size = first.version.size;
  const source = new RangeReader(transport, size, first.bytes, first.whole, rangeOptions(o), counters);
  const tuning = { blockSize: o.blockSize, readAheadBytes: o.readAheadBytes, maxValueBytes: o.maxValueBytes, url: o.shownUrl };
  // A server may send fewer bytes than asked; the header is then one more read.
  const head = async (n: number): Promise<Uint8Array> =>
    first.bytes.length >= Math.min(n, size) ? first.bytes : (await source.read([{ start: 0, end: Math.min(n, size) }]))[0]!;
  const db =
    detectFormat(first.bytes) === 'mmcdb'
      ? new MmcdbRemote(decodeHeader(await head(HEADER_SIZE), size, o.shownUrl), tuning)
      : new ClassicRemote(decodeToc(await head(TOC_SIZE), size, o.shownUrl), tuning);
  return { db, source, transport, version: first.version };
}

function rangeOptions(o: ResolvedOptions): ConstructorParameters<typeof RangeReader>[4] {
  return {
    blockSize: o.blockSize,
    cacheBytes: o.cacheBytes,
    maxGapBytes: o.maxGapBytes,
    bypassBytes: Math.max(64 * o.blockSize, 256 * 1024),
  };
}
