// dir input: every regular file under a folder; key = its path relative to the folder
// with '/' separators (as bytes: names need not be UTF-8), value = its bytes. Sorted by
// key bytes, so the same tree always gives the same database. Symbolic links to files
// are followed; links to folders are not descended (no cycles).
import * as fs from 'node:fs';
import { systemError } from '../errors.js';
import type { RecordSink } from './types.js';

const SLASH = Buffer.from('/');

export interface DirEntry {
  /** Relative path, '/'-separated. */
  key: Buffer;
  /** Path to read (folder + key). */
  path: Buffer;
  size: number;
}

/** Lists the files under `root`, sorted by key bytes. */
export function listDir(root: string): DirEntry[] {
  const out: DirEntry[] = [];
  const rootBuf = Buffer.from(root.endsWith('/') && root.length > 1 ? root.slice(0, -1) : root);
  const walk = (dir: Buffer, prefix: Buffer | undefined): void => {
    let names: fs.Dirent<Buffer>[];
    try {
      names = fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      throw systemError(err, dir.toString(), 'read folder');
    }
    for (const d of names) {
      const key = prefix === undefined ? Buffer.from(d.name) : Buffer.concat([prefix, SLASH, d.name]);
      const path = Buffer.concat([dir, SLASH, d.name]);
      if (d.isDirectory()) {
        walk(path, key);
      } else if (d.isFile()) {
        out.push({ key, path, size: -1 });
      } else if (d.isSymbolicLink()) {
        let st: fs.Stats;
        try {
          st = fs.statSync(path);
        } catch {
          continue; // dangling link
        }
        if (st.isFile()) out.push({ key, path, size: st.size });
      }
    }
  };
  walk(rootBuf, undefined);
  out.sort((a, b) => Buffer.compare(a.key, b.key));
  return out;
}

/** Reads every file of `entries` into the sink; `onFile` reports progress. */
export function readDir(entries: DirEntry[], sink: RecordSink, onFile?: (bytes: number) => void): void {
  for (const e of entries) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(e.path);
    } catch (err) {
      throw systemError(err, e.path.toString(), 'read');
    }
    sink(e.key, bytes);
    onFile?.(bytes.length);
  }
}
