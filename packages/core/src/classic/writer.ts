// Placeholder until classic cdb support lands (issue: classic interop).
import type { Writer } from '../writer.js';
import type { WriterOptions } from '../writer-options.js';

export function createClassicWriter(_path: string, _options: WriterOptions): Writer {
  throw new RangeError("format 'classic' is not supported yet");
}
