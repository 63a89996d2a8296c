// verify() and analyze() for a path that may be a sharded set (docs/SHARDS.md §Checking):
// a set is checked shard by shard against its manifest; its statistics are the sums
// (and extremes) of its shards'. Anything else goes to the single-file functions.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { hashReady } from '../../util/hash.js';
import { CdbError } from '../../util/errors.js';
import { analyze } from '../analyze.js';
import type { DbStats, LengthStats } from '../stats.js';
import { verify, type VerifyReport } from '../verify.js';
import { checkShardIdentity, hex64, type SetManifest } from './manifest.js';
import { shardFacts } from './shard-files.js';
import { locateSet, readManifest, type SetLocation } from './versions.js';

export interface ShardReport {
  shard: number;
  file: string;
  ok: boolean;
  error?: CdbError;
}

export interface SetInfo {
  /** The set id (= the version folder v<set>), shard count, partition seed. */
  id: string;
  shards: number;
  partitionSeed: bigint;
  /** The version folder read. */
  dir: string;
}

/** A set's verify(): ok only when every shard is sound and matches the manifest. */
export interface SetVerifyReport extends VerifyReport {
  set?: SetInfo;
  shards?: ShardReport[];
}

function setInfo(m: SetManifest, loc: SetLocation): SetInfo {
  return { id: m.set, shards: m.shards, partitionSeed: m.seed, dir: loc.dir };
}

/** One shard against its manifest entry: present, sound, of this set, the same records, size and checksum. */
async function checkShard(m: SetManifest, loc: SetLocation, i: number): Promise<ShardReport> {
  const entry = m.files[i]!;
  const p = path.join(loc.dir, entry.file);
  const fail = (message: string, cause?: unknown): ShardReport => ({
    shard: i,
    file: p,
    ok: false,
    error:
      cause instanceof CdbError && cause.code === 'ERR_CDB_SHARD'
        ? cause
        : new CdbError('ERR_CDB_SHARD', message, { path: p, cause }),
  });
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (err) {
    return fail(`shard ${i} of ${m.shards} is missing (${(err as NodeJS.ErrnoException).code})`, err);
  }
  if (st.size !== entry.bytes) return fail(`shard ${i} is ${st.size} bytes; the manifest says ${entry.bytes}`);
  const report = await verify(p);
  if (!report.ok) return fail(`shard ${i} is damaged: ${report.error!.code}: ${report.error!.reason}`, report.error);
  try {
    const facts = shardFacts(p);
    if (facts.format !== m.format) return fail(`shard ${i} is a ${facts.format} file; the set's format is ${m.format}`);
    if (m.format === 'mmcdb') checkShardIdentity(facts.identity, m, i, p);
    if (facts.records !== entry.records)
      return fail(`shard ${i} holds ${facts.records} records; the manifest says ${entry.records}`);
    if (facts.checksum !== entry.checksum)
      return fail(`shard ${i}'s checksum is ${hex64(facts.checksum)}; the manifest says ${hex64(entry.checksum)}`);
  } catch (err) {
    return fail(`shard ${i}: ${(err as Error).message}`, err);
  }
  return { shard: i, file: p, ok: true };
}

/** verify() of a file, or of a set folder / version folder / manifest.json (every shard). */
export async function verifyAny(p: string): Promise<SetVerifyReport> {
  if (typeof p !== 'string' || p === '') throw new TypeError('path must be a non-empty string');
  const loc = locateSet(p);
  if (loc === undefined) return verify(p);
  await hashReady;
  let m: SetManifest;
  try {
    m = readManifest(loc.manifestPath);
  } catch (err) {
    if (!(err instanceof CdbError)) throw err;
    return { ok: false, path: p, format: 'mmcdb', records: 0, fileSize: 0, error: err };
  }
  const shards: ShardReport[] = [];
  for (let i = 0; i < m.shards; i++) shards.push(await checkShard(m, loc, i));
  const bad = shards.find((s) => !s.ok);
  return {
    ok: bad === undefined,
    path: p,
    format: m.format,
    records: m.records,
    fileSize: m.bytes,
    ...(bad !== undefined && { error: bad.error! }),
    set: setInfo(m, loc),
    shards,
  };
}

/** analyze() of a file, or of a set: the shards' statistics added up. */
export async function analyzeAny(p: string): Promise<DbStats & { set?: SetInfo }> {
  if (typeof p !== 'string' || p === '') throw new TypeError('path must be a non-empty string');
  const loc = locateSet(p);
  if (loc === undefined) return analyze(p);
  const m = readManifest(loc.manifestPath);
  const parts: DbStats[] = [];
  for (const f of m.files) parts.push(await analyze(path.join(loc.dir, f.file)));
  return { ...mergeStats(parts, m.format), set: setInfo(m, loc) };
}

function mergeLengths(ls: LengthStats[], counts: number[]): LengthStats {
  const total = ls.reduce((a, l) => a + l.total, 0);
  const n = counts.reduce((a, c) => a + c, 0);
  const used = ls.filter((_, i) => counts[i]! > 0);
  return {
    min: used.length === 0 ? 0 : Math.min(...used.map((l) => l.min)),
    max: used.length === 0 ? 0 : Math.max(...used.map((l) => l.max)),
    total,
    avg: n === 0 ? 0 : total / n,
  };
}

/** The statistics of one logical database from those of its shards (keys never span shards). */
export function mergeStats(parts: DbStats[], format: 'mmcdb' | 'classic'): DbStats {
  const sum = (f: (s: DbStats) => number) => parts.reduce((a, s) => a + f(s), 0);
  const counts = parts.map((s) => s.records);
  const slots = sum((s) => s.index.slots);
  const used = sum((s) => s.index.used);
  const out: DbStats = {
    format,
    fileSize: sum((s) => s.fileSize),
    records: sum((s) => s.records),
    distinctKeys: sum((s) => s.distinctKeys),
    keyLength: mergeLengths(
      parts.map((s) => s.keyLength),
      counts,
    ),
    valueLength: mergeLengths(
      parts.map((s) => s.valueLength),
      counts,
    ),
    index: {
      slots,
      used,
      loadFactor: slots === 0 ? 0 : used / slots,
      tables: sum((s) => s.index.tables),
      collisions: sum((s) => s.index.collisions),
      maxProbe: Math.max(0, ...parts.map((s) => s.index.maxProbe)),
      probeHistogram: Array.from({ length: 11 }, (_, d) => sum((s) => s.index.probeHistogram[d] ?? 0)),
    },
  };
  const seed = parts[0]?.seed;
  if (seed !== undefined) out.seed = seed;
  const align = parts[0]?.valueAlign;
  if (align !== undefined) out.valueAlign = align;
  return out;
}
