// Placeholder until classic cdb support lands (issue: classic interop).
import type { Backend, Engine } from '../engine.js';
import { CdbError } from '../errors.js';
import type { ByteSource } from '../source.js';

/** Opens a classic djb cdb file, or throws ERR_CDB_FORMAT when it is not one. */
export function openClassicEngine(_src: ByteSource, _backend: Backend, path: string): Engine {
  throw new CdbError('ERR_CDB_FORMAT', 'not an mmcdb file (bad magic)', { offset: 0, path });
}
