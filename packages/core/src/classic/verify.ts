// Placeholder until classic cdb support lands (issue: classic interop).
import { CdbError } from '../errors.js';
import type { ByteSource } from '../source.js';

/** Walks every record and table slot of a classic file; returns the record count or throws CdbError. */
export function verifyClassic(_src: ByteSource, path: string): number {
  throw new CdbError('ERR_CDB_FORMAT', 'not an mmcdb file (bad magic)', { offset: 0, path });
}
