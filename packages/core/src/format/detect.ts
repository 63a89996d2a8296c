// Which format a file is in (FORMAT.md §Header; CLASSIC.md §Detection): the one place
// that decides, for every reader, verify and analyze.
import { hasMagic } from './mmcdb/codec.js';
import type { FormatName } from './engine.js';

/**
 * 'mmcdb' when the file starts with the mmcdb magic; anything else is tried as classic
 * (whose TOC checks then say "not an mmcdb or cdb file" for what is neither).
 * `head` holds the file's first bytes (at least 8 when the file has them).
 */
export function detectFormat(head: Uint8Array): FormatName {
  return hasMagic(head) ? 'mmcdb' : 'classic';
}
