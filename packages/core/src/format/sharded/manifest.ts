// A sharded set's manifest.json and the set identity each shard file carries in its
// metadata (docs/SHARDS.md is the authority: §Manifest, §Shard files). Browser-safe (no
// node:, no Buffer): the remote set reader parses manifests with the same checks.
import { CdbError } from '../../util/errors.js';

/** §Manifest `mmcdbSet`: the version of the set format. */
export const SET_FORMAT_VERSION = 1;
export const MANIFEST_NAME = 'manifest.json';
export const CURRENT_NAME = 'CURRENT';
/** §Partition: 1 to 65,536 shards. */
export const MAX_SHARDS = 65536;
/** A manifest larger than this is refused before it is read (65,536 shards take ~8 MiB). */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;
/** §Shard files: the metadata key of a shard's identity. */
export const SHARD_META_KEY = 'mmcdbSet';
/** §Partition: the default partition seed, ASCII "mmcdbset" read as a big-endian u64. */
export const DEFAULT_PARTITION_SEED = 0x6d6d636462736574n;

export type ShardFormat = 'mmcdb' | 'classic';

export interface ShardEntry {
  file: string;
  records: number;
  bytes: number;
  /** mmcdb: the file's body_checksum; classic: xxh64 of the whole file, seed 0. */
  checksum: bigint;
}

export interface SetManifest {
  /** The set id: also the version's folder name without its `v`. */
  set: string;
  /** Partition seed and shard count: shard = xxh64(key, seed) mod shards. */
  seed: bigint;
  shards: number;
  format: ShardFormat;
  files: ShardEntry[];
  records: number;
  bytes: number;
  /** The user's metadata (any JSON value), or undefined. */
  metadata: unknown;
  createdAt: string;
}

/** What a shard file's metadata says about it (§Shard files). */
export interface ShardIdentity {
  set: string;
  shard: number;
  shards: number;
  seed: bigint;
}

const SET_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** §Versions: a set id is 1–64 of [A-Za-z0-9._-], starting with a letter or digit. */
export function isSetId(id: unknown): id is string {
  return typeof id === 'string' && SET_ID.test(id);
}

/** §Versions: the folder of version `id`. */
export function versionDirName(id: string): string {
  return `v${id}`;
}

/** §Shard files: `shard-00003-of-00008.mmcdb` (`.cdb` for classic shards). */
export function shardFileName(shard: number, shards: number, format: ShardFormat): string {
  const pad = (n: number) => String(n).padStart(5, '0');
  return `shard-${pad(shard)}-of-${pad(shards)}.${format === 'classic' ? 'cdb' : 'mmcdb'}`;
}

export function hex64(v: bigint): string {
  return `0x${v.toString(16).padStart(16, '0')}`;
}

/** The manifest as JSON text: one line per shard, so that diffs and `head` stay readable. */
export function encodeManifest(m: SetManifest): string {
  const shards = m.files
    .map((f) => `    ${JSON.stringify({ file: f.file, records: f.records, bytes: f.bytes, checksum: hex64(f.checksum) })}`)
    .join(',\n');
  const head = {
    mmcdbSet: SET_FORMAT_VERSION,
    set: m.set,
    partition: { hash: 'xxh64', seed: hex64(m.seed), shards: m.shards },
    format: m.format,
    records: m.records,
    bytes: m.bytes,
    createdAt: m.createdAt,
    ...(m.metadata !== undefined && { metadata: m.metadata }),
  };
  const text = JSON.stringify(head, null, 2);
  return `${text.slice(0, -2)},\n  "shards": [\n${shards}\n  ]\n}\n`;
}

type Json = Record<string, unknown>;

function fail(where: string, message: string): never {
  throw new CdbError('ERR_CDB_FORMAT', `not a valid set manifest: ${message}`, { path: where });
}

function field(o: Json, name: string, where: string, prefix = ''): unknown {
  if (!Object.hasOwn(o, name)) fail(where, `${prefix}${name} is missing`);
  return o[name];
}

function count(v: unknown, name: string, where: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max) {
    fail(where, `${name} must be an integer from 0 to ${max}, got ${show(v)}`);
  }
  return v;
}

function u64(v: unknown, name: string, where: string): bigint {
  if (typeof v !== 'string' || !/^0x[0-9a-f]{16}$/.test(v))
    fail(where, `${name} must be "0x" and 16 lowercase hex digits, got ${show(v)}`);
  return BigInt(v);
}

function show(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function object(v: unknown, name: string, where: string): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(where, `${name} must be an object, got ${show(v)}`);
  return v as Json;
}

/**
 * Parses and checks a manifest (§Manifest): every field present, of its type and in
 * range; shard i's file named shardFileName(i, …); totals equal the sums. Throws
 * CdbError ERR_CDB_FORMAT naming the field, ERR_CDB_VERSION for another set version.
 */
export function parseManifest(text: string, where: string): SetManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CdbError('ERR_CDB_FORMAT', `not a valid set manifest: not JSON (${(err as Error).message})`, {
      path: where,
      cause: err,
    });
  }
  const o = object(raw, 'the manifest', where);
  const version = field(o, 'mmcdbSet', where);
  if (version !== SET_FORMAT_VERSION) {
    if (typeof version === 'number') {
      throw new CdbError(
        'ERR_CDB_VERSION',
        `set format version ${version} is not supported (this reader knows ${SET_FORMAT_VERSION})`,
        { path: where },
      );
    }
    fail(where, `mmcdbSet must be ${SET_FORMAT_VERSION}, got ${show(version)}`);
  }
  const set = field(o, 'set', where);
  if (!isSetId(set))
    fail(where, `set must be 1–64 characters of [A-Za-z0-9._-] starting with a letter or digit, got ${show(set)}`);
  const partition = object(field(o, 'partition', where), 'partition', where);
  if (field(partition, 'hash', where, 'partition.') !== 'xxh64')
    fail(where, `partition.hash must be "xxh64", got ${show(partition['hash'])}`);
  const seed = u64(field(partition, 'seed', where, 'partition.'), 'partition.seed', where);
  const n = field(partition, 'shards', where, 'partition.');
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_SHARDS) {
    fail(where, `partition.shards must be an integer from 1 to ${MAX_SHARDS}, got ${show(n)}`);
  }
  const format = field(o, 'format', where);
  if (format !== 'mmcdb' && format !== 'classic') fail(where, `format must be "mmcdb" or "classic", got ${show(format)}`);
  const records = count(field(o, 'records', where), 'records', where);
  const bytes = count(field(o, 'bytes', where), 'bytes', where);
  const createdAt = field(o, 'createdAt', where);
  if (typeof createdAt !== 'string' || createdAt.length > 64 || Number.isNaN(Date.parse(createdAt))) {
    fail(where, `createdAt must be an ISO 8601 date, got ${show(createdAt)}`);
  }
  const list = field(o, 'shards', where);
  if (!Array.isArray(list)) fail(where, `shards must be an array, got ${show(list)}`);
  if (list.length !== n) fail(where, `shards lists ${list.length} files; partition.shards says ${n}`);
  const files: ShardEntry[] = [];
  let sumRecords = 0;
  let sumBytes = 0;
  for (let i = 0; i < list.length; i++) {
    const e = object(list[i], `shards[${i}]`, where);
    const file = field(e, 'file', where, `shards[${i}].`);
    const want = shardFileName(i, n, format);
    if (file !== want) fail(where, `shards[${i}].file must be ${JSON.stringify(want)}, got ${show(file)}`);
    const entry = {
      file: want,
      records: count(field(e, 'records', where, `shards[${i}].`), `shards[${i}].records`, where),
      bytes: count(field(e, 'bytes', where, `shards[${i}].`), `shards[${i}].bytes`, where),
      checksum: u64(field(e, 'checksum', where, `shards[${i}].`), `shards[${i}].checksum`, where),
    };
    sumRecords += entry.records;
    sumBytes += entry.bytes;
    if (!Number.isSafeInteger(sumRecords) || !Number.isSafeInteger(sumBytes))
      fail(where, 'the shards add up to more than 2^53 records or bytes');
    files.push(entry);
  }
  if (sumRecords !== records) fail(where, `records is ${records}; the shards add up to ${sumRecords}`);
  if (sumBytes !== bytes) fail(where, `bytes is ${bytes}; the shards add up to ${sumBytes}`);
  return { set, seed, shards: n, format, files, records, bytes, metadata: o['metadata'], createdAt };
}

/** The metadata a shard file is built with (§Shard files). */
export function shardMetadata(id: ShardIdentity): Json {
  return { [SHARD_META_KEY]: { set: id.set, shard: id.shard, shards: id.shards, seed: hex64(id.seed) } };
}

/** The identity in a shard file's metadata, or undefined when it has none (or not this shape). */
export function readShardIdentity(metadata: unknown): ShardIdentity | undefined {
  if (metadata === null || typeof metadata !== 'object') return undefined;
  const m = (metadata as Json)[SHARD_META_KEY];
  if (m === null || typeof m !== 'object') return undefined;
  const { set, shard, shards, seed } = m as Json;
  if (!isSetId(set) || typeof shard !== 'number' || typeof shards !== 'number' || typeof seed !== 'string') return undefined;
  if (!/^0x[0-9a-f]{16}$/.test(seed) || !Number.isInteger(shard) || !Number.isInteger(shards)) return undefined;
  return { set, shard, shards, seed: BigInt(seed) };
}

/**
 * Throws ERR_CDB_SHARD unless `found` (a shard file's identity) is shard `shard` of the
 * set `m` describes: a file of another set, another version or another position.
 */
export function checkShardIdentity(
  found: ShardIdentity | undefined,
  m: Pick<SetManifest, 'set' | 'shards' | 'seed'>,
  shard: number,
  where: string,
): void {
  const want = `shard ${shard} of ${m.shards} of set ${m.set}`;
  if (found === undefined)
    throw new CdbError('ERR_CDB_SHARD', `not a shard of a set (no ${SHARD_META_KEY} metadata); expected ${want}`, {
      path: where,
    });
  if (found.set !== m.set || found.shard !== shard || found.shards !== m.shards || found.seed !== m.seed) {
    throw new CdbError(
      'ERR_CDB_SHARD',
      `this file is shard ${found.shard} of ${found.shards} of set ${found.set} (seed ${hex64(found.seed)}); expected ${want} (seed ${hex64(m.seed)})`,
      { path: where },
    );
  }
}

/** The version folder CURRENT names (§Versions), checked: no path can escape the set folder. */
export function parseCurrent(text: string, where: string): string {
  const name = text.trim();
  if (!name.startsWith('v') || !isSetId(name.slice(1))) {
    throw new CdbError('ERR_CDB_FORMAT', `CURRENT must name a version folder (v<set id>), got ${show(name)}`, { path: where });
  }
  return name;
}
