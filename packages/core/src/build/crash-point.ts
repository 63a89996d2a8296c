// Fixed crash points of a build, for the crash-safety tests (docs/RELIABILITY.md
// §Crash-safe builds): with MMCDB_CRASH_AT set to a step's name, the process kills
// itself with SIGKILL exactly there, so a test can check what that crash leaves behind
// without timing random kills.

/**
 * The steps of a build where MMCDB_CRASH_AT can kill it, in order; a sharded set's build
 * (docs/SHARDS.md §Versions) adds its own after its shards' steps.
 */
export type CrashStep =
  | 'after-records'
  | 'after-index'
  | 'before-rename'
  | 'after-rename'
  | 'set-after-shards'
  | 'set-after-manifest'
  | 'set-after-current';

export function crashPoint(step: CrashStep): void {
  if (process.env['MMCDB_CRASH_AT'] === step) process.kill(process.pid, 'SIGKILL');
}
