// cdb get: raw bytes, exit codes, --all / --json / --newline, binary keys, backends.
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';
import { cdb, cdbmake, ok } from '../helpers.js';

const dir = tempDir('mmcdb-cli-get-');
const db = path.join(dir, 'get.cdb');
const BIN_KEY = Buffer.from([0x00, 0xff, 0x10, 0x0a]);
const BIN_VALUE = Buffer.from([0xde, 0xad, 0x00, 0xbe, 0xef, 0x0a, 0x0d, 0xff]);

beforeAll(async () => {
  await ok(['build', db], {
    input: cdbmake([
      ['k', 'v1'],
      ['text', 'hello\nworld'],
      ['k', 'v2'],
      [BIN_KEY, BIN_VALUE],
      ['empty', ''],
      ['k', 'ü ☃'],
      ['mixed', 'ok'],
      ['mixed', BIN_VALUE],
    ]),
  });
});

describe('cdb get', () => {
  it('prints the first value as raw bytes, nothing else; exit 0', async () => {
    const r = await cdb(['get', db, 'text']);
    expect(r.status).toBe(0);
    expect(r.out).toBe('hello\nworld');
    expect(r.stderr).toBe('');
  });

  it('not found: exit 100, no output', async () => {
    const r = await cdb(['get', db, 'nope']);
    expect(r.status).toBe(100);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('an empty value is found (exit 0, no bytes)', async () => {
    const r = await cdb(['get', db, 'empty']);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(0);
  });

  it('--newline appends a newline', async () => {
    expect((await ok(['get', db, 'k', '--newline'])).out).toBe('v1\n');
  });

  it('--all concatenates every value in insertion order; with --newline one per line', async () => {
    expect((await ok(['get', db, 'k', '--all'])).out).toBe('v1v2ü ☃');
    expect((await ok(['get', db, 'k', '--all', '--newline'])).out).toBe('v1\nv2\nü ☃\n');
  });

  it('--json prints a JSON string; with --all a JSON array', async () => {
    expect((await ok(['get', db, 'text', '--json'])).out).toBe('"hello\\nworld"\n');
    expect(JSON.parse((await ok(['get', db, 'k', '--all', '--json'])).out)).toEqual(['v1', 'v2', 'ü ☃']);
  });

  it('--json represents bytes that are not UTF-8 as {"base64": …}', async () => {
    const all = JSON.parse((await ok(['get', db, 'mixed', '--all', '--json'])).out);
    expect(all).toEqual(['ok', { base64: BIN_VALUE.toString('base64') }]);
  });

  it('binary-safe: keys in hex or base64, value bytes unchanged on stdout', async () => {
    expect((await ok(['get', db, BIN_KEY.toString('hex'), '--key-encoding', 'hex'])).stdout.equals(BIN_VALUE)).toBe(true);
    expect((await ok(['get', db, BIN_KEY.toString('base64'), '--key-encoding', 'base64'])).stdout.equals(BIN_VALUE)).toBe(true);
    expect((await ok(['get', db, BIN_KEY.toString('base64url'), '--key-encoding', 'base64'])).stdout.equals(BIN_VALUE)).toBe(true);
  });

  it('a key that is not valid in its encoding is a usage error (exit 2)', async () => {
    const r = await cdb(['get', db, 'xyz', '--key-encoding', 'hex']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not valid hex');
  });

  it.each(['memory', 'pread', 'auto'])('--backend %s gives the same answers', async (backend) => {
    expect((await ok(['--backend', backend, 'get', db, 'k', '--all', '--json'])).out).toBe('["v1","v2","ü ☃"]\n');
    expect((await ok(['get', db, BIN_KEY.toString('hex'), '--key-encoding', 'hex', '--backend', backend])).stdout.equals(BIN_VALUE)).toBe(true);
    expect((await cdb(['get', '--backend', backend, db, 'nope'])).status).toBe(100);
  });

  it('an unknown backend is a usage error', async () => {
    const r = await cdb(['get', db, 'k', '--backend', 'tape']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("'tape' is invalid");
  });

  it('MMCDB_BACKEND is honoured when --backend is not given', async () => {
    const r = await ok(['stats', db, '--json'], { env: { MMCDB_BACKEND: 'pread' } });
    expect(JSON.parse(r.out).backend).toBe('pread');
  });

  it('usage errors: missing argument, unknown option → exit 2 with commander\'s message', async () => {
    const missing = await cdb(['get', db]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'key'");
    const unknown = await cdb(['get', db, 'k', '--frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
  });
});
