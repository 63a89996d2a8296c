// Atomic publish of a new file: write a temp file in the target's folder, fsync it,
// rename it over the target, fsync the folder. Until commit() the target is untouched;
// abort() removes the temp file. Temp names are recognisable so that the next build of
// the same target can remove leftovers of a build that was killed.
//
// Which leftovers are dead (docs/RELIABILITY.md §Crash-safe builds): a live build holds
// an exclusive flock(2) on its temp file from creation to rename (through the addon), so
// a temp file whose lock can be taken belongs to no live build — whatever PID namespace,
// container or host it came from. Without the addon there is no lock: a temp file is then
// stale only when its PID (in the name) is dead here, which cannot see other namespaces.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { nativeAddon } from '../source/native.js';
import { crashPoint } from './crash-point.js';

const TEMP_SUFFIX = '.mmcdb-tmp';

/**
 * A just-created temp file is unlocked for a few microseconds, until its build takes the
 * lock: one that is unlocked but this young is left alone unless its build is known dead
 * (same PID namespace, PID gone).
 */
export const GRACE_MS = 2000;

/** This process's PID namespace (the inode of /proc/self/ns/pid), '0' when unknown. */
export const PID_NS = (() => {
  try {
    return /\[(\d+)\]/.exec(fs.readlinkSync('/proc/self/ns/pid'))?.[1] ?? '0';
  } catch {
    return '0';
  }
})();

/** `.<target name>.<pid>-<random>.<pid namespace>.mmcdb-tmp`, next to the target. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${process.pid}-${randomBytes(4).toString('hex')}.${PID_NS}${TEMP_SUFFIX}`);
}

/** Whether `name` is a temp file of `target`'s builds: the pid that made it and its PID namespace ('' in old names). */
export function tempOwner(target: string, name: string): { pid: number; ns: string } | undefined {
  const prefix = `.${path.basename(target)}.`;
  if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) return undefined;
  const middle = name.slice(prefix.length, -TEMP_SUFFIX.length);
  const m = /^(\d+)-[0-9a-f]{8}(?:\.(\d+))?$/.exec(middle);
  return m ? { pid: Number(m[1]), ns: m[2] ?? '' } : undefined;
}

/** Whether `pid` is alive in this PID namespace (EPERM: alive, not ours). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the temp file `file` belongs to no live build; removes it when so. Its build is
 * known dead when its PID is in our namespace (or an old name has none) and gone. With
 * the addon: the file's lock can be taken (and is held while it is removed), and it is
 * older than the grace period or its build is known dead. Without: its build is known dead.
 */
function removeIfStale(file: string, owner: { pid: number; ns: string }): boolean {
  const knownDead = (owner.ns === '' || owner.ns === PID_NS) && !processAlive(owner.pid);
  const lock = nativeAddon()?.lockFile;
  if (lock === undefined) return knownDead && unlink(file);
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  } catch {
    return false; // gone already, or not ours to open
  }
  try {
    if (!lock(fd, true)) return false; // a live build holds it
    const young = Date.now() - fs.fstatSync(fd).mtimeMs < GRACE_MS;
    return (!young || knownDead) && unlink(file);
  } finally {
    fs.closeSync(fd);
  }
}

function unlink(file: string): boolean {
  try {
    fs.unlinkSync(file);
    return true;
  } catch {
    return false; // another build removed it first
  }
}

/** Removes temp files of `target` left by builds that are no longer running (see above). */
export function removeStaleTemps(target: string): string[] {
  const dir = path.dirname(target);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => {
    const owner = tempOwner(target, name);
    return owner !== undefined && removeIfStale(path.join(dir, name), owner);
  });
}

export interface AtomicFileOptions {
  /** File mode of the result. Default: the mode (and, as root, the owner) of the file it replaces, else 0o644 less the umask. */
  mode?: number;
  fsync?: boolean;
}

export class AtomicFile {
  readonly target: string;
  readonly tempPath: string;
  readonly fd: number;
  readonly #fsync: boolean;
  #done = false;

  constructor(target: string, options: AtomicFileOptions = {}) {
    this.target = path.resolve(target);
    removeStaleTemps(this.target);
    this.tempPath = tempPathFor(this.target);
    this.#fsync = options.fsync ?? true;
    // 'wx': never follow or reuse an existing file under the temp name.
    try {
      this.fd = fs.openSync(this.tempPath, 'wx+', options.mode ?? 0o644);
    } catch (err) {
      throw targetError(err, this.target, 'create');
    }
    try {
      // Held until the temp name is gone (renamed or removed): this build is alive.
      nativeAddon()?.lockFile(this.fd, true);
      if (options.mode !== undefined) fs.fchmodSync(this.fd, options.mode);
      else keepModeAndOwner(this.fd, this.target);
    } catch (err) {
      this.abort();
      throw targetError(err, this.target, 'create');
    }
  }

  get done(): boolean {
    return this.#done;
  }

  /** Writes all of `bytes` at `position` (loops over short writes); errors (ENOSPC) name the target. */
  writeAt(bytes: Uint8Array, position: number): void {
    let off = 0;
    try {
      while (off < bytes.length) {
        const chunk = Math.min(bytes.length - off, 0x40000000);
        off += fs.writeSync(this.fd, bytes, off, chunk, position + off);
      }
    } catch (err) {
      throw targetError(err, this.target, 'write');
    }
  }

  readAt(length: number, position: number): Buffer {
    const buf = Buffer.allocUnsafe(length);
    let off = 0;
    try {
      while (off < length) {
        const n = fs.readSync(this.fd, buf, off, length - off, position + off);
        if (n === 0) break;
        off += n;
      }
    } catch (err) {
      throw targetError(err, this.target, 'write');
    }
    return off === length ? buf : buf.subarray(0, off);
  }

  /** fsync, rename over the target, fsync the folder. */
  commit(): void {
    if (this.#done) throw new Error('AtomicFile already committed or aborted');
    try {
      if (this.#fsync) fs.fsyncSync(this.fd);
      crashPoint('before-rename');
      // Renamed while still open (and locked), closed after: no moment where the temp
      // name exists unlocked while this build is alive.
      fs.renameSync(this.tempPath, this.target);
      crashPoint('after-rename');
      fs.closeSync(this.fd);
    } catch (err) {
      this.abort();
      throw targetError(err, this.target, 'replace');
    }
    this.#done = true;
    if (this.#fsync) syncDir(path.dirname(this.target));
  }

  /** Closes and removes the temp file; the target is untouched. Safe to call twice. */
  abort(): void {
    if (this.#done) return;
    this.#done = true;
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed by a failed commit()
    }
    try {
      fs.unlinkSync(this.tempPath);
    } catch {
      // nothing to remove
    }
  }
}

/**
 * A system error met while building `target`, as the error of the target: the message and
 * `path` name the target, not the temp file (the original error is the `cause`); `code`,
 * `errno` and `syscall` stay. Anything else is returned as it is.
 */
export function targetError(err: unknown, target: string, action: 'create' | 'write' | 'replace'): unknown {
  const e = err as NodeJS.ErrnoException;
  if (e === null || typeof e !== 'object' || typeof e.code !== 'string' || !/^E[A-Z0-9]+$/.test(e.code)) return err;
  const reason = typeof e.message === 'string' ? e.message.replace(/^E[A-Z0-9]+: /, '').replace(/, \w+ '.*$/, '') : e.code;
  const out = new Error(`${e.code}: ${reason}, ${action} '${target}'`, { cause: err }) as NodeJS.ErrnoException;
  out.code = e.code;
  if (e.errno !== undefined) out.errno = e.errno;
  if (e.syscall !== undefined) out.syscall = e.syscall;
  out.path = target;
  return out;
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some file systems refuse fsync on folders; the rename is still atomic
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * A rebuilt database keeps the permissions of the file it replaces (a `chmod 600` stays),
 * and — when we may (running as root) — its owner and group.
 */
function keepModeAndOwner(fd: number, target: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return; // a new file: the open() mode less the umask
  }
  if (!st.isFile()) return;
  fs.fchmodSync(fd, st.mode & 0o7777);
  if (typeof process.getuid === 'function' && process.getuid() === 0) fs.fchownSync(fd, st.uid, st.gid);
}
