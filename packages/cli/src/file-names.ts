// What a database's file name says about its format: `.mmcdb` is ours, `.cdb` is classic
// djb cdb (what tinycdb, freecdb, Postfix and cdbget expect). Used by convert to pick the
// output format and by build to warn when a `.cdb` name is about to get an mmcdb file.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FormatName } from '@mmcdb/core';

/** The format a name's extension stands for, if it stands for one. */
export function formatOfName(file: string): FormatName | undefined {
  const ext = path.extname(file).toLowerCase();
  return ext === '.mmcdb' ? 'mmcdb' : ext === '.cdb' ? 'classic' : undefined;
}

/** `cdb build x.cdb` without --format: the file will be mmcdb, which cdb readers reject. */
export function buildNameWarning(out: string, format: FormatName, explicit: boolean): string | undefined {
  if (explicit || format !== 'mmcdb' || formatOfName(out) !== 'classic') return undefined;
  return `${out}: wrote the mmcdb format, not classic cdb: tinycdb, Postfix and other cdb readers cannot read it; name it .mmcdb, or build with --format classic (--format mmcdb silences this)`;
}

/**
 * The output format of `cdb convert`: --format, else the output's extension, else mmcdb
 * when an mmcdb-only option (--seed, --align) is given, else the other format than the input's.
 */
export function convertFormat(
  input: FormatName,
  out: string,
  opts: { format?: FormatName | undefined; mmcdbOptions: boolean },
): FormatName {
  return opts.format ?? formatOfName(out) ?? (opts.mmcdbOptions ? 'mmcdb' : input === 'classic' ? 'mmcdb' : 'classic');
}

/** Whether two paths name the same file (the same path, or the same inode when both exist). */
export function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}
