// The real `cdb` executable (most CLI tests run main() in-process): exit codes as the
// shell sees them, a reader of stdout that goes away (EPIPE), and a stdout that cannot
// be written (/dev/full: one line and exit 111, never a stack trace).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { BIN, cdbProcess, expectOneLineError, fixture } from './helpers.js';

const dir = tempDir('mmcdb-cli-exe-');
const db = path.join(dir, 'small.mmcdb');
const big = path.join(dir, 'big.mmcdb');

beforeAll(() => {
  expect(cdbProcess(['build', db, fixture('small.cdbmake'), '-q']).status).toBe(0);
  const lines = Array.from({ length: 20000 }, (_, i) => `{"key":"k${i}","value":"${'v'.repeat(100)}"}`).join('\n');
  fs.writeFileSync(path.join(dir, 'big.jsonl'), `${lines}\n`);
  expect(cdbProcess(['build', big, path.join(dir, 'big.jsonl'), '-q']).status).toBe(0);
});

describe('the cdb executable', () => {
  it('exits 0 found, 100 not found, 2 usage, 111 error', () => {
    expect(cdbProcess(['get', db, 'one']).status).toBe(0);
    expect(cdbProcess(['get', db, 'no such key']).status).toBe(100);
    expect(cdbProcess(['get', db]).status).toBe(2);
    expect(cdbProcess(['get', path.join(dir, 'missing.mmcdb'), 'k']).status).toBe(111);
  });

  it('a reader of stdout that goes away (EPIPE) ends dump quietly with exit 0', () => {
    const bash = spawnSync(
      'bash',
      ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" dump "${big}" | head -c 10 >/dev/null`],
      {
        encoding: 'utf8',
      },
    );
    expect(bash.stderr).toBe('');
    expect(bash.status).toBe(0);
  });

  it.each([
    ['dump', [big]],
    ['get', [db, 'one']],
    ['keys', [big]],
    ['stats', [db]],
    ['verify', [db]],
  ])('%s > /dev/full: one line naming the error, exit 111', (cmd, args) => {
    if (!fs.existsSync('/dev/full')) return;
    const r = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" "${BIN}" ${cmd} ${args.map((a) => `"${a}"`).join(' ')} > /dev/full`],
      {
        encoding: 'utf8',
      },
    );
    expectOneLineError(
      { status: r.status, signal: r.signal, stdout: Buffer.alloc(0), stderr: r.stderr, out: '' },
      `cdb ${cmd}: cannot write to stdout: no space left on device (ENOSPC)`,
    );
  });
});
