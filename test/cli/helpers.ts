// Shared by the CLI tests: run `cdb` — in-process through main() with injected streams
// (cdb(), the default: no process start per call), or as a real child process
// (cdbProcess(): for exit codes of the executable itself, EPIPE, signals, /dev/full) —
// plus temp folders, hashes, golden files.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { main } from '../../packages/cli/dist/main.js';

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
  /** cdb() only: stderr claims to be a terminal (isTTY, 80 columns), as for a progress bar. */
  stderrTTY?: boolean;
}

/**
 * Runs `cdb …args` in this process through main(), with stdin/stdout/stderr of its own;
 * MMCDB_BACKEND and DEBUG are cleared unless given (process.env and the working folder
 * are set for the run and restored after). Resolves like cdbProcess().
 */
export async function cdb(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  const saved = { ...process.env };
  const cwd = process.cwd();
  const env: Record<string, string | undefined> = { MMCDB_BACKEND: undefined, DEBUG: undefined, ...options.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (chunks: Buffer[]) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    });
  const stdin = Readable.from(options.input === undefined ? [] : [Buffer.from(options.input)]);
  try {
    if (options.cwd !== undefined) process.chdir(options.cwd);
    const stderr = Object.assign(sink(err), options.stderrTTY === true ? { isTTY: true, columns: 80 } : {});
    const status = await main(args, { stdin, stdout: sink(out), stderr, env: process.env });
    const stdout = Buffer.concat(out);
    return { status, signal: null, stdout, stderr: Buffer.concat(err).toString('utf8'), out: stdout.toString('utf8') };
  } finally {
    process.chdir(cwd);
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** Runs the real executable (packages/cli/dist/bin.js) as a child process and waits for it. */
export function cdbProcess(args: readonly string[], options: RunOptions = {}): Run {
  const env: Record<string, string | undefined> = { ...process.env, MMCDB_BACKEND: undefined, DEBUG: undefined, ...options.env };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? ROOT,
    env: env as NodeJS.ProcessEnv,
    input: options.input ?? '',
    maxBuffer: 1 << 30,
  });
  if (r.error) throw r.error;
  return {
    status: r.status,
    signal: r.signal,
    stdout: r.stdout,
    stderr: r.stderr.toString('utf8'),
    out: r.stdout.toString('utf8'),
  };
}

/** Asserts a successful run and returns it. */
export async function ok(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  const r = await cdb(args, options);
  if (r.status !== 0) throw new Error(`cdb ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r;
}

export function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Writer temp files (`.<name>.<pid>-<hex>.<pid namespace>.mmcdb-tmp`) left in `dir`. */
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
