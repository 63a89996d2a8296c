// How a static-asset database is laid out (docs/ASSETS.md): ordinary mmcdb records under
// reserved key prefixes that no URL path can produce (they start with a NUL byte).

/** File-level metadata that marks an asset database. */
export const ASSETS_KIND = 'mmcdb-assets';
export const ASSETS_VERSION = 1;

export type Encoding = 'br' | 'gzip';
export const ENCODINGS: readonly Encoding[] = ['br', 'gzip'];

/** Per-file metadata, stored as JSON under metaKey(urlPath). */
export interface AssetMeta {
  /** Content-Type, with charset for text types. */
  type: string;
  /** Identity body length in bytes. */
  size: number;
  /** Strong ETag of the identity body (quoted). */
  etag: string;
  /** Last modification time of the source file, ms since the epoch. */
  mtime: number;
  /** Compressed variants kept (only those smaller than the identity body), with their lengths. */
  variants: Partial<Record<Encoding, number>>;
}

/** The identity body: the URL path itself, e.g. "/assets/app.js". */
export const bodyKey = (urlPath: string): string => urlPath;
export const metaKey = (urlPath: string): string => `\u0000m${urlPath}`;
export const variantKey = (urlPath: string, enc: Encoding): string => `\u0000${enc === 'br' ? 'b' : 'g'}${urlPath}`;
