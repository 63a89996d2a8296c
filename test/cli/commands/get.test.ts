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
    expect((await ok(['get', db, BIN_KEY.toString('base64url'), '--key-encoding', 'base64'])).stdout.equals(BIN_VALUE)).toBe(
      true,
    );
  });

  it('a key that is not valid in its encoding is a usage error (exit 2)', async () => {
    const r = await cdb(['get', db, 'xyz', '--key-encoding', 'hex']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not valid hex');
  });

  it.each(['memory', 'pread', 'auto'])('--backend %s gives the same answers', async (backend) => {
    expect((await ok(['--backend', backend, 'get', db, 'k', '--all', '--json'])).out).toBe('["v1","v2","ü ☃"]\n');
    expect(
      (await ok(['get', db, BIN_KEY.toString('hex'), '--key-encoding', 'hex', '--backend', backend])).stdout.equals(BIN_VALUE),
    ).toBe(true);
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

  it("usage errors: missing argument, unknown option → exit 2 with commander's message", async () => {
    const missing = await cdb(['get', db]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'key'");
    const unknown = await cdb(['get', db, 'k', '--frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
  });
});

describe('cdb get with several keys', () => {
  it('one value per key, in order, each followed by the --newline / --null separator', async () => {
    expect((await ok(['get', db, 'k', 'text', 'empty', 'mixed', '--newline'])).out).toBe('v1\nhello\nworld\n\nok\n');
    expect((await ok(['get', db, 'mixed', 'k', '--null'])).out).toBe('ok\0v1\0');
    expect((await ok(['get', db, 'mixed', 'k', '-z'])).out).toBe('ok\0v1\0');
    expect((await ok(['get', db, 'mixed', 'k'])).out).toBe('okv1'); // no separator: concatenated, as --all
  });

  it('a missing key: an empty item keeps the output aligned, the others are printed, exit 100', async () => {
    const r = await cdb(['get', db, 'k', 'nope', 'mixed', '--newline']);
    expect(r.status).toBe(100);
    expect(r.out).toBe('v1\n\nok\n');
    const z = await cdb(['get', db, 'nope', 'k', '--null']);
    expect(z.status).toBe(100);
    expect(z.out).toBe('\0v1\0');
    expect((await cdb(['get', db, 'k', 'nope'])).out).toBe('v1');
  });

  it('--all: every value of each key in turn; a missing key prints nothing', async () => {
    const r = await cdb(['get', db, 'k', 'nope', 'mixed', '--all', '--newline']);
    expect(r.status).toBe(100);
    expect(r.stdout.equals(Buffer.concat([Buffer.from('v1\nv2\nü ☃\nok\n'), BIN_VALUE, Buffer.from('\n')]))).toBe(true);
  });

  it('--json: one line per key, null for a missing key; with --all an array per key ([] when missing)', async () => {
    const r = await cdb(['get', db, 'text', 'nope', 'mixed', '--json']);
    expect(r.status).toBe(100);
    expect(r.out).toBe('"hello\\nworld"\nnull\n"ok"\n');
    const a = await cdb(['get', db, 'k', 'nope', '--all', '--json']);
    expect(a.out).toBe('["v1","v2","ü ☃"]\n[]\n');
    expect((await cdb(['get', db, 'nope', '--json'])).out).toBe('null\n');
  });

  it('--null with --newline or --json is a usage error', async () => {
    expect((await cdb(['get', db, 'k', '--null', '--newline'])).status).toBe(2);
    expect((await cdb(['get', db, 'k', '--null', '--json'])).status).toBe(2);
  });

  it('every command-line key is checked before anything is printed', async () => {
    const r = await cdb(['get', db, 'k', 'zz', '--key-encoding', 'hex']);
    expect(r.status).toBe(2);
    expect(r.stdout.length).toBe(0);
  });
});

describe('cdb get <db> -: keys from stdin', () => {
  it('one key per line (LF, a CR before it dropped; a last line without LF counts), in order', async () => {
    const r = await cdb(['get', db, '-', '--newline'], { input: 'k\r\nmixed\nnope\ntext' });
    expect(r.status).toBe(100);
    expect(r.out).toBe('v1\nok\n\nhello\nworld\n');
    expect((await ok(['get', db, '-', '--json'], { input: 'mixed\nempty\n' })).out).toBe('"ok"\n""\n');
  });

  it('keys are bytes: a binary key (no LF in it) is given raw; with --null the keys end with NUL', async () => {
    const raw = Buffer.from([0x00, 0xff, 0x10]);
    const withLf = Buffer.from([0xfe, 0x0a, 0x41]);
    const rawDb = path.join(dir, 'raw.mmcdb');
    await ok(['build', rawDb, '-q'], {
      input: cdbmake([
        [raw, 'found'],
        [withLf, 'with LF'],
      ]),
    });
    expect((await ok(['get', rawDb, '-'], { input: Buffer.concat([raw, Buffer.from('\n')]) })).out).toBe('found');
    const z = await cdb(['get', rawDb, '-', '--null'], { input: Buffer.concat([withLf, Buffer.from('\0nope\r\0')]) });
    expect(z.out).toBe('with LF\0\0'); // no CR stripping with --null: "nope\r" is not found
    expect(z.status).toBe(100);
  });

  it('with --key-encoding hex|base64 each line is decoded; a bad line is an error naming it (exit 111)', async () => {
    const hex = await ok(['get', db, '-', '--key-encoding', 'hex'], { input: `${BIN_KEY.toString('hex')}\n` });
    expect(hex.stdout.equals(BIN_VALUE)).toBe(true);
    const b64 = await ok(['get', db, '-', '--key-encoding', 'base64', '--newline'], {
      input: `${Buffer.from('k').toString('base64')}\r\n`,
    });
    expect(b64.out).toBe('v1\n');
    const bad = await cdb(['get', db, '-', '--key-encoding', 'hex', '--newline'], { input: '6b\nxyz\n6b\n' });
    expect(bad.status).toBe(111);
    expect(bad.stderr).toBe('cdb get: <stdin>:2: the key is not valid hex: "xyz"\n');
  });

  it('stdin keys mix with command-line keys at the place of "-"; "-" twice is a usage error', async () => {
    expect((await ok(['get', db, 'k', '-', 'mixed', '--newline'], { input: 'empty\ntext\n' })).out).toBe(
      'v1\n\nhello\nworld\nok\n',
    );
    expect((await cdb(['get', db, '-', '-'])).status).toBe(2);
  });

  it('empty stdin: no keys, no output, exit 0', async () => {
    const r = await cdb(['get', db, '-']);
    expect(r.status).toBe(0);
    expect(r.stdout.length).toBe(0);
  });
});

describe('cdb get: a key argument that was not valid UTF-8', () => {
  it('Node turned its bytes into U+FFFD: usage error (exit 2) with the ways to give raw bytes', async () => {
    // What `cdb get db $'\xa4\xa2'` (EUC-JP) arrives as in process.argv.
    const r = await cdb(['get', db, '\ufffd\ufffd']);
    expect(r.status).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain('holds U+FFFD');
    expect(r.stderr).toContain('--key-encoding hex');
    expect(r.stderr).toContain('| cdb get <db> -');
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    // A real U+FFFD key is reachable in hex.
    const fffd = path.join(dir, 'fffd.mmcdb');
    await ok(['build', fffd, '-q'], { input: cdbmake([['\ufffd', 'replacement char']]) });
    expect((await ok(['get', fffd, 'efbfbd', '--key-encoding', 'hex'])).out).toBe('replacement char');
  });
});
