// Opening a database file for the pure-TypeScript engines: the one place that opens the
// descriptor, refuses what is not a regular file, and picks the whole file in memory or
// positional reads (open(), verify() and analyze() all come through here).
import { constants as bufferConstants } from 'node:buffer';
import * as fs from 'node:fs';
import { CdbError } from '../util/errors.js';
import type { ByteSource } from './byte-source.js';
import { MemorySource } from './memory.js';
import { PreadSource } from './pread.js';

/** Files up to this size are read whole by 'auto' (and by verify/analyze); larger ones use pread. */
export const MEMORY_LIMIT = 512 * 1024 * 1024;
const MAX_BUFFER = bufferConstants.MAX_LENGTH;

export type FileSourceKind = 'memory' | 'pread' | 'auto';

/**
 * Opens `path` read-only without blocking (a FIFO would block open(2) forever), checks
 * that it is a regular file, and returns a source over it. Errors: Node's system errors
 * (ENOENT, EACCES, EISDIR, …) or CdbError ERR_CDB_BACKEND / ERR_CDB_FORMAT.
 */
export function openFileSource(path: string, kind: FileSourceKind): { source: ByteSource; backend: 'memory' | 'pread' } {
  const fd = openRegularFile(path);
  try {
    const size = fs.fstatSync(fd).size;
    const backend = kind === 'pread' || (kind === 'auto' && size > MEMORY_LIMIT) ? 'pread' : 'memory';
    if (backend === 'pread') return { source: new PreadSource(fd, size, path), backend };
    if (size > MAX_BUFFER) {
      // Node 20 cannot allocate one Buffer this large; say so instead of Node's bare RangeError.
      throw new CdbError(
        'ERR_CDB_BACKEND',
        `the memory backend cannot hold this file: ${size} bytes is more than the largest Buffer (${MAX_BUFFER} bytes); use backend 'mmap' or 'pread'`,
        { path },
      );
    }
    const source = MemorySource.fromFile(fd, size);
    fs.closeSync(fd);
    return { source, backend };
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
}

/** A descriptor of `path` opened O_RDONLY, refused unless it is a regular file. */
export function openRegularFile(path: string): number {
  const fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) {
      throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${path}'`), {
        code: 'EISDIR',
        errno: -21,
        syscall: 'open',
        path,
      });
    }
    if (!st.isFile()) {
      throw new CdbError('ERR_CDB_FORMAT', `not a regular file (${fileKind(st)}): a database is a regular file`, { path });
    }
    return fd;
  } catch (err) {
    closeQuietly(fd);
    throw err;
  }
}

function fileKind(st: fs.Stats): string {
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a file';
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
}
