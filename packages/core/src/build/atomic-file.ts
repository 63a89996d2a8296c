// Atomic publish of a new file: write a temp file in the target's folder, fsync it,
// rename it over the target, fsync the folder. Until commit() the target is untouched;
// abort() removes the temp file. Temp names are recognisable so that the next build of
// the same target can remove leftovers of a build that was killed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { crashPoint } from './crash-point.js';

const TEMP_SUFFIX = '.mmcdb-tmp';

/** `.<target name>.<pid>-<random>.mmcdb-tmp`, next to the target. */
export function tempPathFor(target: string): string {
  const dir = path.dirname(target);
  const base = path.basename(target);
  return path.join(dir, `.${base}.${process.pid}-${randomBytes(4).toString('hex')}${TEMP_SUFFIX}`);
}

/** Whether `name` is a temp file of `target`'s builds; returns the pid that made it. */
export function tempOwnerPid(target: string, name: string): number | undefined {
  const prefix = `.${path.basename(target)}.`;
  if (!name.startsWith(prefix) || !name.endsWith(TEMP_SUFFIX)) return undefined;
  const middle = name.slice(prefix.length, -TEMP_SUFFIX.length);
  const m = /^(\d+)-[0-9a-f]{8}$/.exec(middle);
  return m ? Number(m[1]) : undefined;
}

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes temp files of `target` left by builds whose process no longer exists. */
export function removeStaleTemps(target: string): string[] {
  const dir = path.dirname(target);
  const removed: string[] = [];
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    const pid = tempOwnerPid(target, name);
    if (pid === undefined || processAlive(pid)) continue;
    try {
      fs.unlinkSync(path.join(dir, name));
      removed.push(name);
    } catch {
      // another build may have removed it first
    }
  }
  return removed;
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
      fs.closeSync(this.fd);
      crashPoint('before-rename');
      fs.renameSync(this.tempPath, this.target);
      crashPoint('after-rename');
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
