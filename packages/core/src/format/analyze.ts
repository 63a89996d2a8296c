// analyze(): the numbers behind `cdb stats`, for either format.
import { hashReady } from '../util/hash.js';
import { openFileSource } from '../source/file.js';
import { analyzeClassic } from './classic/analyze.js';
import { analyzeMmcdb } from './mmcdb/analyze.js';
import { MmcdbEngine } from './mmcdb/engine.js';
import { openEngine } from './open-engine.js';
import type { DbStats } from './stats.js';

export async function analyze(path: string): Promise<DbStats> {
  if (typeof path !== 'string' || path === '') throw new TypeError('path must be a non-empty string');
  await hashReady;
  const { source } = openFileSource(path, 'auto');
  try {
    const engine = openEngine(source, 'memory', path);
    return engine instanceof MmcdbEngine ? analyzeMmcdb(source, engine.header, path) : analyzeClassic(source, path);
  } finally {
    source.close();
  }
}
