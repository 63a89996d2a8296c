/**
 * Stable error codes for data problems. Caller mistakes throw TypeError/RangeError;
 * "not found" is never an error (it is `undefined`).
 */
export type CdbErrorCode =
  | 'ERR_CDB_FORMAT' // not an mmcdb/cdb file, or a header/section invariant fails
  | 'ERR_CDB_VERSION' // a format version or required flag this reader does not know
  | 'ERR_CDB_CHECKSUM' // header or body checksum mismatch
  | 'ERR_CDB_TRUNCATED' // the file is shorter than its header says
  | 'ERR_CDB_CORRUPT' // an offset or length read from the file points outside its section
  | 'ERR_CDB_SHARD' // a sharded set's shards do not match its manifest (missing, of another set or version, changed)
  | 'ERR_CDB_CLOSED' // the reader or writer was closed
  | 'ERR_CDB_DUPLICATE' // duplicates: 'error' and a key was added twice
  | 'ERR_CDB_ABORTED' // a build was aborted through its AbortSignal
  | 'ERR_CDB_TOO_LARGE' // the output would exceed what the format can address
  | 'ERR_CDB_INPUT' // malformed build input (CLI parsers)
  | 'ERR_CDB_BACKEND' // a demanded backend is not available
  | 'ERR_CDB_REMOTE' // an HTTP server failed or misbehaved (status, refused Range, timeout, reset)
  | 'ERR_CDB_CHANGED'; // a remote file changed on the server while it was open (reopen to read the new one)

export interface CdbErrorOptions {
  /** Byte offset in the file (or input) where the problem was found. */
  offset?: number;
  /** The file involved. */
  path?: string;
  cause?: unknown;
}

export class CdbError extends Error {
  readonly code: CdbErrorCode;
  readonly offset: number | undefined;
  readonly path: string | undefined;
  /** The message without the "(path, offset N)" suffix. */
  readonly reason: string;

  constructor(code: CdbErrorCode, message: string, options: CdbErrorOptions = {}) {
    const where = [
      options.path !== undefined ? options.path : undefined,
      options.offset !== undefined ? `offset ${options.offset}` : undefined,
    ].filter((s) => s !== undefined);
    super(where.length > 0 ? `${message} (${where.join(', ')})` : message, { cause: options.cause });
    this.name = 'CdbError';
    this.reason = message;
    this.code = code;
    this.offset = options.offset;
    this.path = options.path;
  }
}

export function isCdbError(err: unknown, code?: CdbErrorCode): err is CdbError {
  return err instanceof CdbError && (code === undefined || err.code === code);
}
