// What the set builder, commit and verify need to know about one shard file: its
// records, size, checksum (docs/SHARDS.md §Manifest) and identity (§Shard files).
import * as fs from 'node:fs';
import { createXxh64 } from '../../util/hash.js';
import { openFileSource } from '../../source/file.js';
import { MmcdbEngine } from '../mmcdb/engine.js';
import { openEngine } from '../open-engine.js';
import { readShardIdentity, type ShardFormat, type ShardIdentity } from './manifest.js';

export interface ShardFacts {
  format: ShardFormat;
  records: number;
  bytes: number;
  checksum: bigint;
  /** From the file's metadata (mmcdb shards); classic files have none. */
  identity: ShardIdentity | undefined;
}

/** xxh64(whole file, 0): a classic shard's checksum (it has no body checksum of its own). */
export function fileChecksum(path: string): bigint {
  const h = createXxh64(0n);
  const fd = fs.openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let pos = 0; ; ) {
      const n = fs.readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest();
}

/** Opens a shard file (positional reads, O(1) for mmcdb) and reads its facts; throws CdbError like open(). */
export function shardFacts(path: string): ShardFacts {
  const { source } = openFileSource(path, 'pread');
  try {
    const engine = openEngine(source, 'pread', path);
    const format = engine.format;
    let identity: ShardIdentity | undefined;
    if (format === 'mmcdb') {
      const text = engine.metadataText();
      try {
        identity = text === undefined ? undefined : readShardIdentity(JSON.parse(text));
      } catch {
        identity = undefined;
      }
    }
    const bytes = source.size;
    const records = engine.size;
    const checksum = engine instanceof MmcdbEngine ? engine.header.bodyChecksum : fileChecksum(path);
    return { format, records, bytes, identity, checksum };
  } finally {
    source.close();
  }
}
