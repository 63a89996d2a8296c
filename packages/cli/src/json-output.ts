// The --json output shapes (docs/cli.md §JSON output): bytes as a JSON string when they
// are valid UTF-8, else as {"base64": "…"}, so that no byte is lost or replaced.
import type { VerifyReport } from '@mmcdb/core';
import { isValidUtf8 } from './input/values.js';

/** Bytes as JSON text: a string when they are UTF-8, else {"base64":"…"}. */
export function jsonBytes(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return isValidUtf8(b) ? JSON.stringify(b.toString('utf8')) : `{"base64":${JSON.stringify(b.toString('base64'))}}`;
}

/** `cdb get --json`: one line per key — its value, `null` when absent; with --all an array. */
export function jsonGetLine(values: readonly Uint8Array[], all: boolean): string {
  if (all) return `[${values.map(jsonBytes).join(',')}]\n`;
  return `${values.length > 0 ? jsonBytes(values[0]!) : 'null'}\n`;
}

export interface VerifyJson {
  ok: boolean;
  path: string;
  /** The format the file was read as; null when it is no database (ERR_CDB_FORMAT) or could not be read. */
  format: 'mmcdb' | 'classic' | null;
  /** Records checked; null unless ok. */
  records: number | null;
  /** null when the file could not be read. */
  fileSize: number | null;
  error?: { code: string; message: string; offset?: number };
}

/** `cdb verify --json`: core's report, or (report undefined) a file that could not be read at all. */
export function verifyJson(
  path: string,
  report: VerifyReport | undefined,
  failure?: { code: string; message: string },
): VerifyJson {
  if (report === undefined) {
    return {
      ok: false,
      path,
      format: null,
      records: null,
      fileSize: null,
      error: failure ?? { code: 'ERR_CDB_IO', message: 'cannot read' },
    };
  }
  if (report.ok) return { ok: true, path, format: report.format, records: report.records, fileSize: report.fileSize };
  const e = report.error;
  return {
    ok: false,
    path,
    format: e?.code === 'ERR_CDB_FORMAT' ? null : report.format,
    records: null,
    fileSize: report.fileSize,
    error: {
      code: e?.code ?? 'ERR_CDB_CORRUPT',
      message: e?.reason ?? 'not sound',
      ...(e?.offset !== undefined && { offset: e.offset }),
    },
  };
}
