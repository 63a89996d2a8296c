// A set on disk (docs/SHARDS.md §Versions): the set folder holds CURRENT, which names
// the live version folder v<set id>/, which holds manifest.json and the shard files.
// CURRENT and manifests are replaced atomically (temp file, fsync, rename, fsync the
// folder); readers hold a lease file in the version they read, so that gc keeps it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { CdbError } from '../../util/errors.js';
import { AtomicFile, GRACE_MS, PID_NS, processAlive } from '../../build/atomic-file.js';
import { nativeAddon } from '../../source/native.js';
import {
  CURRENT_NAME,
  encodeManifest,
  isSetId,
  MANIFEST_NAME,
  MAX_MANIFEST_BYTES,
  parseCurrent,
  parseManifest,
  type SetManifest,
} from './manifest.js';

export interface SetLocation {
  /** The version folder: manifest.json and the shard files. */
  dir: string;
  manifestPath: string;
  /** CURRENT's path when it was followed (what openWatched() watches), else undefined. */
  current: string | undefined;
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * What `p` names: a set folder (it holds CURRENT: followed), a version folder (it holds
 * manifest.json) or a manifest.json file. undefined for anything else (a database file,
 * a missing path, another folder), which the caller opens as a single file.
 */
export function locateSet(p: string): SetLocation | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return undefined;
  }
  if (st.isDirectory()) {
    const current = path.join(p, CURRENT_NAME);
    if (isFile(current)) {
      const dir = path.join(p, readCurrent(p));
      return { dir, manifestPath: path.join(dir, MANIFEST_NAME), current };
    }
    const manifestPath = path.join(p, MANIFEST_NAME);
    return isFile(manifestPath) ? { dir: p, manifestPath, current: undefined } : undefined;
  }
  if (st.isFile() && path.basename(p) === MANIFEST_NAME) return { dir: path.dirname(p), manifestPath: p, current: undefined };
  return undefined;
}

/** The version folder name in `root`/CURRENT. */
export function readCurrent(root: string): string {
  const file = path.join(root, CURRENT_NAME);
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(256);
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return parseCurrent(buf.toString('utf8', 0, n), file);
  } finally {
    fs.closeSync(fd);
  }
}

/** Replaces `root`/CURRENT atomically with `name` (a version folder). */
export function writeCurrent(root: string, name: string, fsync: boolean): void {
  const file = new AtomicFile(path.join(root, CURRENT_NAME), { fsync });
  try {
    file.writeAt(Buffer.from(`${name}\n`, 'utf8'), 0);
    file.commit();
  } catch (err) {
    file.abort();
    throw err;
  }
}

/** Reads and checks a manifest; a file over MAX_MANIFEST_BYTES is refused before reading. */
export function readManifest(manifestPath: string): SetManifest {
  const fd = fs.openSync(manifestPath, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    if (size > MAX_MANIFEST_BYTES) {
      throw new CdbError('ERR_CDB_FORMAT', `not a valid set manifest: ${size} bytes, the limit is ${MAX_MANIFEST_BYTES}`, {
        path: manifestPath,
      });
    }
    const buf = Buffer.alloc(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, buf, off, size - off, off);
      if (n === 0) break;
      off += n;
    }
    return parseManifest(buf.toString('utf8', 0, off), manifestPath);
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes `dir`/manifest.json atomically: the step that makes a version complete. */
export function writeManifest(dir: string, manifest: SetManifest, fsync: boolean): void {
  const file = new AtomicFile(path.join(dir, MANIFEST_NAME), { fsync });
  try {
    file.writeAt(Buffer.from(encodeManifest(manifest), 'utf8'), 0);
    file.commit();
  } catch (err) {
    file.abort();
    throw err;
  }
}

/** A new set id: the UTC time to the second, then 8 random hex digits (sorts by time). */
export function newSetId(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

export interface VersionInfo {
  /** The folder name, v<set id>. */
  name: string;
  dir: string;
  /** The manifest, when the version is complete and its manifest sound. */
  manifest: SetManifest | undefined;
  /** Why the manifest could not be read (a version being built has none yet). */
  problem: string | undefined;
  mtimeMs: number;
}

/** Every v<set id>/ folder of a set folder, oldest first (manifest createdAt, else mtime). */
export function listVersions(root: string): VersionInfo[] {
  const out: VersionInfo[] = [];
  for (const e of fs.readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || !e.name.startsWith('v') || !isSetId(e.name.slice(1))) continue;
    const dir = path.join(root, e.name);
    let manifest: SetManifest | undefined;
    let problem: string | undefined;
    try {
      manifest = readManifest(path.join(dir, MANIFEST_NAME));
    } catch (err) {
      problem = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no manifest.json (incomplete)' : (err as Error).message;
    }
    out.push({ name: e.name, dir, manifest, problem, mtimeMs: fs.statSync(dir).mtimeMs });
  }
  const time = (v: VersionInfo) => (v.manifest !== undefined ? Date.parse(v.manifest.createdAt) : v.mtimeMs);
  return out.sort((a, b) => time(a) - time(b) || (a.name < b.name ? -1 : 1));
}

// Leases (§Versions): `.reader-<pid>-<hex>.<pid namespace>.lease` / `.builder-…` in a
// version folder. As for build temp files (build/atomic-file.ts), a live holder keeps
// its lease file open with an exclusive flock(2) (through the addon), so a lease whose
// lock can be taken belongs to no live process — whatever PID namespace, container or
// host (sharing the folder's lock manager) it came from. Without the addon there is no
// lock: a lease is then dead only when its PID is in our namespace (or its name has
// none: an older name) and gone.
const LEASE = /^\.(reader|builder)-(\d+)-[0-9a-f]{8}(?:\.(\d+))?\.lease$/;
const held = new Map<string, number>(); // file → its open descriptor (−1: none)
let exitHook = false;

export interface Lease {
  release(): void;
}

/** Marks `dir` as in use by this process until release() (or exit). undefined when the folder is read-only. */
export function takeLease(dir: string, kind: 'reader' | 'builder'): Lease | undefined {
  const file = path.join(dir, `.${kind}-${process.pid}-${randomBytes(4).toString('hex')}.${PID_NS}.lease`);
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch {
    return undefined; // no write permission: gc cannot see this reader (docs/SHARDS.md §Versions)
  }
  try {
    const lock = nativeAddon()?.lockFile;
    if (lock === undefined) {
      fs.closeSync(fd);
      fd = -1;
    } else lock(fd, true); // held until release(): this process is alive
  } catch {
    // a file system without flock: the lease still counts by PID
  }
  held.set(file, fd);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const f of held.keys()) fs.rmSync(f, { force: true });
    });
  }
  return {
    release() {
      const open = held.get(file);
      if (open === undefined) return;
      held.delete(file);
      fs.rmSync(file, { force: true }); // before the lock goes: never a dead-looking live lease
      if (open >= 0) fs.closeSync(open);
    },
  };
}

/** Whether the lease file `file` of (pid, ns) is held by a live process (see above). */
function leaseLive(file: string, pid: number, ns: string): boolean {
  if (held.has(file)) return true; // ours
  const knownDead = (ns === '' || ns === PID_NS) && !processAlive(pid);
  const lock = nativeAddon()?.lockFile;
  if (lock === undefined) return !knownDead;
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return !knownDead; // gone already, or not ours to open: by PID
  }
  try {
    if (!lock(fd, true)) return true; // its holder is alive
    // Unlocked: dead, unless just created (the lock is taken right after) by a process not known dead.
    return Date.now() - fs.fstatSync(fd).mtimeMs < GRACE_MS && !knownDead;
  } catch {
    return !knownDead;
  } finally {
    fs.closeSync(fd);
  }
}

/** The leases in `dir` whose process is alive; removes those of dead processes. */
export function liveLeases(dir: string): { kind: 'reader' | 'builder'; pid: number }[] {
  const live: { kind: 'reader' | 'builder'; pid: number }[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return live;
  }
  for (const name of names) {
    const m = LEASE.exec(name);
    if (m === null) continue;
    const pid = Number(m[2]);
    const file = path.join(dir, name);
    if (leaseLive(file, pid, m[3] ?? '')) live.push({ kind: m[1] as 'reader' | 'builder', pid });
    else fs.rmSync(file, { force: true });
  }
  return live;
}
