// Placeholder until classic cdb support lands (issue: classic interop).
import { CdbError } from '../errors.js';
import type { DbStats } from '../analyze.js';
import type { ByteSource } from '../source.js';

export function analyzeClassic(_src: ByteSource, path: string): DbStats {
  throw new CdbError('ERR_CDB_FORMAT', 'not an mmcdb file (bad magic)', { offset: 0, path });
}
