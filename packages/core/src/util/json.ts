// JSON with a depth limit. V8's JSON.parse and JSON.stringify recurse: text nested a few
// thousand levels deep throws "Maximum call stack size exceeded" (a RangeError with no
// position), so metadata and build input are checked against a documented limit first.
import { CdbError } from './errors.js';

/** The deepest nesting of arrays and objects accepted in metadata and build input. */
export const MAX_JSON_DEPTH = 256;

/**
 * The offset in `text` where nesting first goes deeper than `limit`, or -1. A linear
 * scan that skips strings; it does not validate the JSON (JSON.parse does that after).
 */
export function jsonDepthExceeded(text: string, limit = MAX_JSON_DEPTH): number {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // a string: skip to its closing quote
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}

/** FORMAT.md §Metadata: UTF-8 JSON text nested at most MAX_JSON_DEPTH levels; else ERR_CDB_FORMAT. */
export function parseMetadata(text: string, path: string | undefined, offset?: number): unknown {
  const deep = jsonDepthExceeded(text);
  const where = { path, ...(offset !== undefined && { offset }) };
  if (deep >= 0) {
    throw new CdbError(
      'ERR_CDB_FORMAT',
      `metadata nests deeper than ${MAX_JSON_DEPTH} levels (at character ${deep} of the metadata)`,
      where,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CdbError('ERR_CDB_FORMAT', 'metadata is not valid JSON', { ...where, cause: err });
  }
}
