// openWatched(): a reader that follows a database replaced by rename (the atomic way
// every mmcdb build publishes), or a sharded set whose CURRENT is (docs/SHARDS.md
// §Versions). Reads always go to one complete version: the swap
// happens between calls, and values (and in-flight async reads) of the old version stay
// valid after it is closed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Bytes } from '../util/bytes.js';
import { locateSet } from '../format/sharded/versions.js';
import { openSync, type OpenOptions } from './open.js';
import type { Reader } from './reader.js';
import type { AsyncCallOptions } from './async-batch.js';

export interface WatchOptions extends OpenOptions {
  /** Also poll the file every this many ms (fs.watch can miss events on some file systems). Default 1000; 0 = no polling. */
  pollMs?: number;
  /** Called after a new version was opened. */
  onReload?: (reader: Reader) => void;
  /** Called when a changed file cannot be opened (e.g. not a database); the old version keeps serving. */
  onError?: (error: unknown) => void;
}

export interface WatchedReader {
  /** The version serving now. Do not keep it across awaits: it may be replaced (and closed). */
  readonly current: Reader;
  /** How many times a new version was picked up. */
  readonly reloads: number;
  /** Shortcuts to the current version's methods. */
  get(key: Bytes): Buffer | undefined;
  getAll(key: Bytes): Buffer[];
  getString(key: Bytes, encoding?: BufferEncoding): string | undefined;
  getMany(keys: readonly Bytes[]): (Buffer | undefined)[];
  getManyAsync(keys: readonly Bytes[], options?: AsyncCallOptions): Promise<(Buffer | undefined)[]>;
  /** Checks the path now; returns true when a new version was opened. */
  reopen(): boolean;
  /** Stops watching and closes the current version. */
  close(): void;
}

/** Identity of the file at `p`: a rename gives a new inode. */
function identity(p: string): string | undefined {
  try {
    const st = fs.statSync(p, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch {
    return undefined;
  }
}

export function openWatched(target: string, options: WatchOptions = {}): WatchedReader {
  const { pollMs = 1000, onReload, onError, ...openOptions } = options;
  // The file whose replacement means a new version: a set folder's CURRENT, else the file
  // itself. Its identity first: a replacement during the open costs one extra reload.
  const file = locateSet(target)?.current ?? target;
  let seen = identity(file);
  let current = openSync(target, openOptions);
  let reloads = 0;
  let closed = false;

  const reopen = (): boolean => {
    if (closed) return false;
    const now = identity(file);
    if (now === undefined || now === seen) return false;
    let next: Reader;
    try {
      next = openSync(target, openOptions);
    } catch (err) {
      seen = now; // do not retry the same broken file on every event
      onError?.(err);
      return false;
    }
    const old = current;
    current = next;
    seen = identity(file) ?? now;
    reloads++;
    old.close();
    onReload?.(next);
    return true;
  };

  // Watch the folder, not the file: a rename replaces the file's inode.
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(path.dirname(path.resolve(file)), { persistent: false }, (_event, name) => {
      if (name === null || name === path.basename(file)) reopen();
    });
    watcher.on('error', () => undefined);
  } catch {
    watcher = undefined; // polling still works
  }
  const timer = pollMs > 0 ? setInterval(reopen, pollMs) : undefined;
  timer?.unref();

  return {
    get current() {
      return current;
    },
    get reloads() {
      return reloads;
    },
    get: (key) => current.get(key),
    getAll: (key) => current.getAll(key),
    getString: (key, encoding) => current.getString(key, encoding),
    getMany: (keys) => current.getMany(keys),
    getManyAsync: (keys, options) => current.getManyAsync(keys, options),
    reopen,
    close() {
      if (closed) return;
      closed = true;
      watcher?.close();
      if (timer) clearInterval(timer);
      current.close();
    },
  };
}
