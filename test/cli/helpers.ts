// Shared by the CLI tests: run the real `cdb` (packages/cli/dist/bin.js) as a child
// process, temp folders, hashes, golden files.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = path.join(ROOT, 'packages/cli/dist/bin.js');
export const FIXTURES = path.join(ROOT, 'fixtures/cli');
export const fixture = (name: string): string => path.join(FIXTURES, name);

if (!fs.existsSync(BIN)) throw new Error(`${BIN} is missing: run pnpm build first`);

export interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** stdout as UTF-8 text. */
  out: string;
}

export interface RunOptions {
  input?: Buffer | string;
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** Runs `cdb …args` and waits for it. MMCDB_BACKEND and DEBUG are cleared unless given. */
export function cdb(args: readonly string[], options: RunOptions = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env, MMCDB_BACKEND: undefined, DEBUG: undefined, ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    input: options.input ?? '',
    maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr.toString('utf8'), out: r.stdout.toString('utf8') };
}

/** Asserts a successful run and returns it. */
export function ok(args: readonly string[], options: RunOptions = {}): Run {
  const r = cdb(args, options);
  if (r.status !== 0) throw new Error(`cdb ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Writer temp files (`.<name>.<pid>-<hex>.mmcdb-tmp`) left in `dir`. */
export function tempLeftovers(dir: string): string[] {
  return fs.readdirSync(dir).filter((n) => n.endsWith('.mmcdb-tmp'));
}

/** Compares with a golden file in fixtures/cli (UPDATE_GOLDEN=1 rewrites it). */
export function expectGolden(actual: Buffer | string, name: string): void {
  const file = fixture(name);
  const bytes = typeof actual === 'string' ? Buffer.from(actual, 'utf8') : actual;
  if (process.env['UPDATE_GOLDEN'] === '1') fs.writeFileSync(file, bytes);
  const expected = fs.readFileSync(file);
  if (!bytes.equals(expected)) {
    expect(bytes.toString('latin1')).toBe(expected.toString('latin1'));
  }
}

/** Asserts the standard for a failed command: exit 111, one line on stderr, nothing on stdout. */
export function expectOneLineError(r: Run, ...patterns: (string | RegExp)[]): void {
  expect(r.status, r.stderr).toBe(111);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines, r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  for (const p of patterns) {
    if (typeof p === 'string') expect(r.stderr).toContain(p);
    else expect(r.stderr).toMatch(p);
  }
}

/** cdbmake text for records. */
export function cdbmake(records: readonly (readonly [Buffer | string, Buffer | string])[]): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of records) {
    const kb = Buffer.from(k);
    const vb = Buffer.from(v);
    parts.push(Buffer.from(`+${kb.length},${vb.length}:`), kb, Buffer.from('->'), vb, Buffer.from('\n'));
  }
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}
