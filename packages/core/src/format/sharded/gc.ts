// gcShards(): removes old versions of a set (docs/SHARDS.md §Versions): the live one
// (CURRENT) and the newest complete ones up to `keep` stay, and so does every version a
// live process holds a lease on (a reader, a builder). A version goes in two steps — a
// rename out of the way, then a second look for leases taken meanwhile — so a reader
// that opened it in between keeps it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { removeStaleTemps } from '../../build/atomic-file.js';
import { CURRENT_NAME } from './manifest.js';
import { liveLeases, listVersions, readCurrent, type VersionInfo } from './versions.js';

export interface GcOptions {
  /** Complete versions to keep, the live one included (default 2, at least 1). */
  keep?: number;
  /** Also remove incomplete versions (no manifest.json) that no live build holds. */
  incomplete?: boolean;
  /** Report what would go, remove nothing. */
  dryRun?: boolean;
}

export interface GcReport {
  live: string | undefined;
  removed: string[];
  kept: { version: string; why: string }[];
}

/** Removes the versions of set folder `dir` that nothing needs any more. */
export function gcShards(dir: string, options: GcOptions = {}): GcReport {
  if (typeof dir !== 'string' || dir === '') throw new TypeError('dir must be a non-empty string');
  const keep = options.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be an integer of at least 1, got ${String(keep)}`);
  const root = path.resolve(dir);
  const live = fs.existsSync(path.join(root, CURRENT_NAME)) ? readCurrent(root) : undefined;
  removeStaleTemps(path.join(root, CURRENT_NAME));
  const versions = listVersions(root);
  const complete = versions.filter((v) => v.manifest !== undefined);
  const newest = new Set(complete.slice(-keep).map((v) => v.name));
  const liveTime = versions.find((v) => v.name === live)?.manifest?.createdAt;
  const report: GcReport = { live, removed: [], kept: [] };
  const decide = (v: VersionInfo): string | undefined => {
    if (v.name === live) return 'live (CURRENT)';
    const leases = liveLeases(v.dir);
    const builder = leases.find((l) => l.kind === 'builder');
    if (builder !== undefined) return `being built (pid ${builder.pid})`;
    const reader = leases.find((l) => l.kind === 'reader');
    if (reader !== undefined) return `held by a reader (pid ${reader.pid})`;
    if (v.manifest !== undefined) return newest.has(v.name) ? `one of the newest ${keep}` : undefined;
    // An incomplete version older than the live one is a build that died; a newer one may be a batch job's.
    const older = liveTime !== undefined && v.mtimeMs < Date.parse(liveTime);
    return options.incomplete === true || older ? undefined : `incomplete (${v.problem}); --incomplete removes it`;
  };
  for (const v of versions) {
    const why = decide(v);
    if (why !== undefined) {
      report.kept.push({ version: v.name, why });
      continue;
    }
    if (options.dryRun !== true && !remove(v)) {
      report.kept.push({ version: v.name, why: 'a reader opened it during gc' });
      continue;
    }
    report.removed.push(v.name);
  }
  return report;
}

/** Renames the version away, looks for leases once more, then deletes it. False when a lease appeared. */
function remove(v: VersionInfo): boolean {
  const trash = path.join(path.dirname(v.dir), `.gc-${v.name}-${randomBytes(4).toString('hex')}`);
  fs.renameSync(v.dir, trash);
  if (liveLeases(trash).length > 0) {
    fs.renameSync(trash, v.dir);
    return false;
  }
  fs.rmSync(trash, { recursive: true, force: true });
  return true;
}

export interface VersionSummary {
  /** v<set id>, its folder, whether CURRENT names it. */
  version: string;
  dir: string;
  live: boolean;
  /** Complete (it has a sound manifest.json), with its numbers. */
  complete: boolean;
  shards: number | undefined;
  records: number | undefined;
  bytes: number | undefined;
  createdAt: string | undefined;
  problem: string | undefined;
  /** Live processes holding it. */
  leases: { kind: 'reader' | 'builder'; pid: number }[];
}

/** The versions of set folder `dir`, oldest first (what `cdb shards list` prints). */
export function listSetVersions(dir: string): VersionSummary[] {
  const root = path.resolve(dir);
  const live = fs.existsSync(path.join(root, CURRENT_NAME)) ? readCurrent(root) : undefined;
  return listVersions(root).map((v) => ({
    version: v.name,
    dir: v.dir,
    live: v.name === live,
    complete: v.manifest !== undefined,
    shards: v.manifest?.shards,
    records: v.manifest?.records,
    bytes: v.manifest?.bytes,
    createdAt: v.manifest?.createdAt,
    problem: v.problem,
    leases: liveLeases(v.dir),
  }));
}
