// Which version of a remote file a response belongs to (docs/REMOTE.md §Consistency).
// The version opened is pinned by its strong ETag, else by Last-Modified, and always by
// its size; every later response must carry the same, or the read fails with
// ERR_CDB_CHANGED instead of mixing bytes of two versions. Weak (W/) ETags do not count:
// they promise equivalent content, not identical bytes.

/** The pinned identity of a remote file. */
export interface Version {
  /** Strong ETag, quotes included, as the server sent it. */
  etag: string | undefined;
  /** Last-Modified, used when there is no strong ETag. */
  lastModified: string | undefined;
  size: number;
}

export interface HeaderSource {
  get(name: string): string | null;
}

/** A strong ETag from the header, or undefined for none or a weak one. */
export function strongEtag(headers: HeaderSource): string | undefined {
  const tag = headers.get('etag')?.trim();
  if (tag === undefined || tag === '' || tag.startsWith('W/')) return undefined;
  return tag;
}

export function versionOf(headers: HeaderSource, size: number): Version {
  const etag = strongEtag(headers);
  const lastModified = headers.get('last-modified')?.trim() || undefined;
  return { etag, lastModified, size };
}

/**
 * Why the response does not belong to the pinned version, or undefined when it does. Only
 * the validator the version was pinned by is compared: the ETag when there was a strong
 * one, else Last-Modified; a response lacking it cannot prove its version and fails too.
 */
export function versionMismatch(pinned: Version, headers: HeaderSource, total: number | undefined): string | undefined {
  if (total !== undefined && total !== pinned.size) return `its size is now ${total} bytes, was ${pinned.size}`;
  if (pinned.etag !== undefined) {
    const now = strongEtag(headers);
    if (now !== pinned.etag) return `its ETag is now ${now ?? headers.get('etag') ?? '(none)'}, was ${pinned.etag}`;
  } else if (pinned.lastModified !== undefined) {
    const now = headers.get('last-modified')?.trim();
    if (now !== pinned.lastModified) return `its Last-Modified is now ${now ?? '(none)'}, was ${pinned.lastModified}`;
  }
  return undefined;
}

/** A parsed Content-Range "bytes first-last/total" (total undefined for "*"). */
export interface ContentRange {
  start: number;
  /** Exclusive end. */
  end: number;
  total: number | undefined;
}

/**
 * Parses `bytes first-last/total`, `bytes first-last/*` or `bytes *\/total` (RFC 9110
 * §14.4). Returns undefined for anything else, or for numbers past 2^53.
 */
export function parseContentRange(value: string | null): ContentRange | { unsatisfied: number } | undefined {
  if (value === null) return undefined;
  const m = /^\s*bytes\s+(?:(\d+)-(\d+)|(\*))\/(\d+|\*)\s*$/i.exec(value);
  if (m === null) return undefined;
  const total = m[4] === '*' ? undefined : Number(m[4]);
  if (total !== undefined && !Number.isSafeInteger(total)) return undefined;
  if (m[3] === '*') return total === undefined ? undefined : { unsatisfied: total };
  const first = Number(m[1]);
  const last = Number(m[2]);
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) return undefined;
  if (total !== undefined && last >= total) return undefined;
  return { start: first, end: last + 1, total };
}
