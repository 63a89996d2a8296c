// Errors of remote reads (docs/REMOTE.md §Errors): a CdbError that also carries the HTTP
// status when there was one. The URL in messages is redacted — a presigned URL's query
// string is a credential and must not end up in logs.
import { CdbError, type CdbErrorCode } from '../../util/errors.js';

export class RemoteError extends CdbError {
  /** The HTTP status of the response that failed, when there was a response. */
  readonly status: number | undefined;

  constructor(code: CdbErrorCode, message: string, options: { url: string; status?: number; offset?: number; cause?: unknown }) {
    super(code, message, { path: options.url, offset: options.offset, cause: options.cause });
    this.name = 'RemoteError';
    this.status = options.status;
  }
}

/** The URL without credentials: no user:password, and the query string replaced by "?…". */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    const query = u.search !== '' ? '?…' : '';
    u.search = '';
    u.hash = '';
    return `${u.toString()}${query}`;
  } catch {
    return '(invalid URL)';
  }
}
