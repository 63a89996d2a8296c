// verify(): the full check that open() skips, for either format (mmcdb/verify.ts,
// classic/verify.ts).
import { hashReady } from '../util/hash.js';
import { CdbError } from '../util/errors.js';
import { openFileSource } from '../source/file.js';
import { verifyClassic } from './classic/verify.js';
import { detectFormat } from './detect.js';
import { openEngine } from './open-engine.js';
import { MmcdbEngine } from './mmcdb/engine.js';
import { verifyMmcdb } from './mmcdb/verify.js';

export interface VerifyReport {
  ok: boolean;
  path: string;
  format: 'mmcdb' | 'classic';
  records: number;
  fileSize: number;
  /** The first problem found, with its offset, when ok is false. */
  error?: CdbError;
}

/** Checks a database completely. Resolves with ok: false and the first problem; rejects only for I/O errors. */
export async function verify(path: string): Promise<VerifyReport> {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  await hashReady;
  const { source } = openFileSource(path, 'auto');
  const report: VerifyReport = { ok: true, path, format: 'mmcdb', records: 0, fileSize: source.size };
  try {
    report.format = detectFormat(source.bytes(0, Math.min(8, source.size)));
    const engine = openEngine(source, 'memory', path);
    if (engine instanceof MmcdbEngine) {
      report.records = engine.header.recordCount;
      verifyMmcdb(source, engine.header, path);
    } else {
      report.records = verifyClassic(source, path);
    }
  } catch (err) {
    if (!(err instanceof CdbError)) throw err;
    report.ok = false;
    report.error = err;
  } finally {
    source.close();
  }
  return report;
}
