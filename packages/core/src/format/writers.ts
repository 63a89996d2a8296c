// createWriter(): the writer of the format the options ask for.
import type { Writer } from '../build/writer.js';
import { createClassicWriter } from './classic/writer.js';
import { MmcdbWriter } from './mmcdb/writer.js';
import type { WriterOptions } from './writer-options.js';

/**
 * Starts a new database at `path`. Records go to a temp file next to it; finish()
 * publishes it atomically, abort() (or any error) removes it.
 */
export function createWriter(path: string, options: WriterOptions = {}): Writer {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  const format = options.format ?? 'mmcdb';
  if (format === 'mmcdb') return new MmcdbWriter(path, options);
  if (format === 'classic') return createClassicWriter(path, options);
  throw new RangeError(`format must be 'mmcdb' or 'classic', got ${String(format)}`);
}
