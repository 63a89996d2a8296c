// buildSharded() / createShardedWriter(): build() and createWriter() for a sharded set
// (docs/SHARDS.md §Building): records go to N shard files built on worker threads, in a
// new version folder that becomes live (CURRENT) once complete.
import type { Bytes } from '../../util/bytes.js';
import { hashReady } from '../../util/hash.js';
import type { RecordInput } from '../build.js';
import { ShardedWriter, type SetBuildResult, type ShardedWriterOptions } from './sharded-writer.js';

/** Records between two waits for the workers (they route faster than shards build). */
const READY_EVERY = 4096;

/** Starts a build of a new version of the set in folder `dir` (created when missing). */
export function createShardedWriter(dir: string, options: ShardedWriterOptions): ShardedWriter {
  return new ShardedWriter(dir, options);
}

/**
 * Builds a new version of the set in `dir` from `records` and makes it live. On any
 * failure the version's folder is removed and the previous version stays live.
 */
export async function buildSharded(
  dir: string,
  records: Iterable<RecordInput> | AsyncIterable<RecordInput>,
  options: ShardedWriterOptions,
): Promise<SetBuildResult> {
  if (records === null || typeof records !== 'object' || !(Symbol.iterator in records || Symbol.asyncIterator in records)) {
    throw new TypeError('records must be an iterable or async iterable of [key, value] pairs');
  }
  await hashReady;
  const writer = createShardedWriter(dir, options);
  try {
    let n = 0;
    for await (const record of records) {
      if (Array.isArray(record)) writer.add(record[0] as Bytes, record[1] as Bytes);
      else if (record !== null && typeof record === 'object' && 'key' in record) writer.add(record.key, record.value);
      else throw new TypeError('each record must be a [key, value] pair or a {key, value} object');
      if (++n % READY_EVERY === 0) await writer.ready();
    }
    return await writer.finish();
  } catch (err) {
    await writer.abort(err);
    throw err;
  }
}
