// build(): the whole writer lifecycle in one call, from any (async) iterable of records.
import type { Bytes } from '../util/bytes.js';
import { hashReady } from '../util/hash.js';
import type { BuildResult } from '../build/writer.js';
import type { WriterOptions } from './writer-options.js';
import { createWriter } from './writers.js';

export type RecordInput = readonly [Bytes, Bytes] | { key: Bytes; value: Bytes };

/**
 * Builds a database at `path` from `records` ([key, value] pairs or {key, value}
 * objects). On any failure (bad record, iterator error, abort) the target is untouched
 * and no temp file is left.
 */
export async function build(
  path: string,
  records: Iterable<RecordInput> | AsyncIterable<RecordInput>,
  options: WriterOptions = {},
): Promise<BuildResult> {
  if (records === null || typeof records !== 'object' || !(Symbol.iterator in records || Symbol.asyncIterator in records)) {
    throw new TypeError('records must be an iterable or async iterable of [key, value] pairs');
  }
  await hashReady; // the fast hash for the whole build (util/hash.ts)
  const writer = createWriter(path, options);
  try {
    for await (const record of records) {
      if (Array.isArray(record)) writer.add(record[0] as Bytes, record[1] as Bytes);
      else if (record !== null && typeof record === 'object' && 'key' in record) writer.add(record.key, record.value);
      else throw new TypeError('each record must be a [key, value] pair or a {key, value} object');
    }
    return await writer.finish();
  } catch (err) {
    writer.abort(err);
    throw err;
  }
}
