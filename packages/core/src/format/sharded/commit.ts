// commitShards(): makes a version out of shard files built independently — one batch
// task per shard (`cdb build --shard i/N`), docs/SHARDS.md §Independent builds. Every
// shard is checked completely (verify), its identity compared with its folder and the
// others', then manifest.json is written and CURRENT replaced, each atomically.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashReady } from '../../util/hash.js';
import { CdbError } from '../../util/errors.js';
import { crashPoint } from '../../build/crash-point.js';
import { verify } from '../verify.js';
import {
  checkShardIdentity,
  hex64,
  isSetId,
  MANIFEST_NAME,
  shardFileName,
  versionDirName,
  type SetManifest,
  type ShardEntry,
  type ShardFormat,
} from './manifest.js';
import { shardFacts } from './shard-files.js';
import { liveLeases, listVersions, readManifest, writeCurrent, writeManifest } from './versions.js';

export interface CommitOptions {
  /** The version to commit (its set id); default: the one incomplete version of the set folder. */
  set?: string;
  /** Partition seed: needed for classic shards only (mmcdb shards carry it in their metadata). */
  partitionSeed?: bigint;
  /** The set's metadata (reader.metadata). */
  metadata?: unknown;
  /** Replace CURRENT (default true). */
  publish?: boolean;
  fsync?: boolean;
}

export interface CommitResult {
  root: string;
  dir: string;
  manifest: SetManifest;
}

const SHARD_FILE = /^shard-(\d{5})-of-(\d{5})\.(mmcdb|cdb)$/;

function shardError(message: string, where: string): CdbError {
  return new CdbError('ERR_CDB_SHARD', message, { path: where });
}

/** The version folder to commit: the one named, else the only one without a manifest. */
function pickVersion(root: string, set: string | undefined): string {
  if (set !== undefined) {
    if (!isSetId(set))
      throw new RangeError(`set must be 1–64 characters of [A-Za-z0-9._-] starting with a letter or digit, got ${String(set)}`);
    const dir = path.join(root, versionDirName(set));
    if (!fs.existsSync(dir)) throw shardError(`no version ${versionDirName(set)} to commit`, root);
    return dir;
  }
  const open = listVersions(root).filter((v) => v.manifest === undefined);
  if (open.length === 0) throw shardError('no version to commit: every version folder already has its manifest.json', root);
  if (open.length > 1) throw shardError(`several versions to commit (${open.map((v) => v.name).join(', ')}): name one`, root);
  return open[0]!.dir;
}

/** The shard files of `dir`: their count N, format, and that 0 … N − 1 are all there. */
function shardFiles(dir: string): { n: number; format: ShardFormat } {
  const found = fs.readdirSync(dir).flatMap((name) => {
    const m = SHARD_FILE.exec(name);
    return m === null
      ? []
      : [{ i: Number(m[1]), n: Number(m[2]), format: (m[3] === 'cdb' ? 'classic' : 'mmcdb') as ShardFormat, name }];
  });
  if (found.length === 0) throw shardError('no shard files (shard-<i>-of-<n>.mmcdb) to commit', dir);
  const { n, format } = found[0]!;
  const odd = found.find((f) => f.n !== n || f.format !== format);
  if (odd !== undefined)
    throw shardError(`${odd.name} does not belong with ${found[0]!.name} (shard counts or formats differ)`, dir);
  if (n < 1 || n > 65536) throw shardError(`${found[0]!.name}: a shard count of ${n} is out of range (1 to 65536)`, dir);
  const have = new Set(found.map((f) => f.i));
  const missing: number[] = [];
  for (let i = 0; i < n && missing.length < 5; i++) if (!have.has(i)) missing.push(i);
  if (missing.length > 0) {
    throw shardError(
      `missing shard file${missing.length > 1 ? 's' : ''} ${missing.map((i) => shardFileName(i, n, format)).join(', ')}${missing.length === 5 ? ', …' : ''} (${have.size} of ${n} present)`,
      dir,
    );
  }
  return { n, format };
}

/** Checks every shard file of a version built independently and makes the version (and, unless publish is false, live). */
export async function commitShards(dir: string, options: CommitOptions = {}): Promise<CommitResult> {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('dir must be a non-empty string');
  await hashReady;
  const root = path.resolve(dir);
  const versionDir = pickVersion(root, options.set);
  const set = path.basename(versionDir).slice(1);
  const builders = liveLeases(versionDir).filter((l) => l.kind === 'builder');
  if (builders.length > 0)
    throw shardError(`shards are still being built here (pid ${builders.map((b) => b.pid).join(', ')})`, versionDir);
  const manifestPath = path.join(versionDir, MANIFEST_NAME);
  const existing = fs.existsSync(manifestPath) ? readManifest(manifestPath) : undefined;
  const { n, format } = shardFiles(versionDir);
  let seed = options.partitionSeed;
  const files: ShardEntry[] = [];
  for (let i = 0; i < n; i++) {
    const file = shardFileName(i, n, format);
    const p = path.join(versionDir, file);
    const report = await verify(p);
    if (!report.ok) throw shardError(`shard ${i} is damaged: ${report.error!.code}: ${report.error!.reason}`, p);
    const facts = shardFacts(p);
    if (format === 'mmcdb') {
      const id = facts.identity;
      seed ??= id?.seed;
      checkShardIdentity(id, { set, shards: n, seed: seed ?? 0n }, i, p);
    }
    files.push({ file, records: facts.records, bytes: facts.bytes, checksum: facts.checksum });
  }
  if (seed === undefined)
    throw new RangeError('classic shards carry no identity: give the partition seed they were built with (partitionSeed)');
  const manifest: SetManifest = {
    set,
    seed,
    shards: n,
    format,
    files,
    records: files.reduce((a, f) => a + f.records, 0),
    bytes: files.reduce((a, f) => a + f.bytes, 0),
    metadata: options.metadata ?? existing?.metadata,
    createdAt: existing?.createdAt ?? new Date().toISOString(),
  };
  if (existing !== undefined && (existing.seed !== seed || existing.files.some((f, i) => f.checksum !== files[i]?.checksum))) {
    throw shardError(
      `${MANIFEST_NAME} exists and does not describe these shards (partition seed ${hex64(existing.seed)})`,
      manifestPath,
    );
  }
  const fsync = options.fsync ?? true;
  if (existing === undefined) writeManifest(versionDir, manifest, fsync);
  crashPoint('set-after-manifest');
  if (options.publish ?? true) {
    writeCurrent(root, path.basename(versionDir), fsync);
    crashPoint('set-after-current');
  }
  return { root, dir: versionDir, manifest };
}
