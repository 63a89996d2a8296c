// The CLI's remote databases: `cdb get|keys|dump|stats <http(s) URL>` read through
// core's openRemote() (docs/REMOTE.md), with the same output and exit codes as for a path.
import { openRemote, RemoteReader } from '@mmcdb/core/remote';

export function isUrl(db: string): boolean {
  return /^https?:\/\//i.test(db);
}

export function openRemoteDb(url: string): Promise<RemoteReader> {
  return openRemote(url);
}

/** Keys per getMany() when `cdb get` reads many keys from a URL: 2 rounds per batch instead of 2 per key. */
export const GET_BATCH = 1000;

/**
 * The values of each key for `cdb get`, in order: [first] or [] (every value with `all`).
 * A remote database answers the first values a batch of keys at a time through getMany().
 */
export async function* valuesOfKeys(
  reader: RemoteReader | { get(key: Uint8Array): Uint8Array | undefined; getAll(key: Uint8Array): Uint8Array[] },
  keys: AsyncIterable<Uint8Array>,
  all: boolean,
): AsyncGenerator<Uint8Array[]> {
  const present = (v: Uint8Array | undefined): Uint8Array[] => (v === undefined ? [] : [v]);
  if (!(reader instanceof RemoteReader) || all) {
    for await (const key of keys) yield all ? await reader.getAll(key) : present(await reader.get(key));
    return;
  }
  let batch: Uint8Array[] = [];
  const flush = async function* (): AsyncGenerator<Uint8Array[]> {
    for (const v of await reader.getMany(batch)) yield present(v);
    batch = [];
  };
  for await (const key of keys) {
    batch.push(key);
    if (batch.length === GET_BATCH) yield* flush();
  }
  if (batch.length > 0) yield* flush();
}

/** What `cdb stats <url>` prints: what the header (or TOC) says and what reading it cost; no full scan. */
export async function remoteStats(url: string): Promise<Record<string, unknown>> {
  const db = await openRemoteDb(url);
  try {
    const layout = db.layout(); // starts with format
    const records = await db.size;
    const metadata = await db.metadata;
    const s = db.stats();
    return {
      url: s.url,
      fileSize: db.fileSize,
      records,
      ...layout,
      ...('seed' in layout && { seed: `0x${layout.seed.toString(16).padStart(16, '0')}` }),
      ...(metadata !== undefined && { metadata }),
      etag: s.etag,
      lastModified: s.lastModified,
      requests: s.requests,
      bytesFetched: s.bytesFetched,
    };
  } finally {
    db.close();
  }
}

export function formatRemoteStats(s: Record<string, unknown>): string {
  const line = (name: string, value: unknown) =>
    `${`${name}:`.padEnd(17)}${typeof value === 'string' ? value : JSON.stringify(value)}`;
  const lines = [
    line('format', s['format']),
    line('url', s['url']),
    line('file size', `${String(s['fileSize'])} bytes`),
    line('records', s['records']),
  ];
  if (s['format'] === 'mmcdb') {
    lines.push(
      line(
        'index',
        `${String(s['indexSlots'])} slots (${String(s['homeSlots'])} home slots), max probe ${String(s['maxProbe'])}`,
      ),
    );
    lines.push(line('seed', s['seed']), line('value align', s['valueAlign']));
  } else {
    lines.push(line('index', `${String(s['indexSlots'])} slots in ${String(s['tables'])} non-empty tables`));
  }
  if (s['metadata'] !== undefined) lines.push(line('metadata', s['metadata']));
  lines.push(
    line(
      'version',
      s['etag'] !== undefined
        ? `ETag ${String(s['etag'])}`
        : s['lastModified'] !== undefined
          ? `Last-Modified ${String(s['lastModified'])}`
          : 'no validator (only the size is checked)',
    ),
  );
  lines.push(line('cost', `${String(s['requests'])} requests, ${String(s['bytesFetched'])} bytes`));
  lines.push('(length statistics and probe histograms read the whole file: run cdb stats on a downloaded copy)');
  return `${lines.join('\n')}\n`;
}
