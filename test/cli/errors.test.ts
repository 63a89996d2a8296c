// Bad input and bad databases: one line on stderr naming the file and the line (or byte
// offset), exit 111, the target neither created nor replaced, no temp file left.
// Usage errors: usage-errors.test.ts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { cdb, cdbmake, expectOneLineError, fixture, ok, sha256, tempLeftovers } from './helpers.js';

const dir = tempDir('mmcdb-cli-errors-');
let n = 0;

interface BadInput {
  name: string;
  ext: string;
  input: Buffer | string;
  /** `<file>:<line>` is checked; then these substrings. */
  line: number;
  expect: string[];
  args?: string[];
}

const BAD: BadInput[] = [
  // cdbmake
  { name: 'cdbmake: no arrow', ext: 'cdbmake', input: '+1,3:a-xyz\n\n', line: 1, expect: ["expected '->'", 'byte offset 7'] },
  {
    name: 'cdbmake: not a digit',
    ext: 'cdbmake',
    input: '+1,1:a->b\n+1,x:c->d\n\n',
    line: 2,
    expect: ["expected a digit (data length), got 'x'", 'record 2', 'byte offset 13'],
  },
  {
    name: 'cdbmake: no final empty line',
    ext: 'cdbmake',
    input: '+1,1:a->b\n',
    line: 2,
    expect: ['expected an empty line to end the cdbmake input'],
  },
  {
    name: 'cdbmake: data shorter than its length',
    ext: 'cdbmake',
    input: '+1,10:a->b\n\n',
    line: 1,
    expect: ['unexpected end of input inside the record starting here: expected 7 more data bytes'],
  },
  { name: 'cdbmake: CRLF', ext: 'cdbmake', input: '+1,1:a->b\r\n\r\n', line: 1, expect: ['CRLF'] },
  {
    name: 'cdbmake: text line',
    ext: 'txt',
    input: 'hello\n\n',
    line: 1,
    expect: ["expected '+' (a record) or an empty line (the end), got 'h'"],
  },
  {
    name: 'cdbmake: JSON lines in a .txt file',
    ext: 'txt',
    input: '{"key":"a","value":1}\n',
    line: 1,
    expect: ["got '{'; this looks like JSON: give -i jsonl", 'or -i json for one object'],
  },
  {
    name: 'cdbmake: JSON after a BOM and blank lines',
    ext: 'data',
    input: '\ufeff{"a": 1}',
    line: 1,
    expect: ['this looks like JSON'],
  },
  {
    name: 'cdbmake: a record cut short says "1 more data byte"',
    ext: 'cdbmake',
    input: '+1,2:a->b',
    line: 1,
    expect: ['expected 1 more data byte (record 1'],
  },
  {
    name: 'cdbmake: lines counted through values',
    ext: 'cdbmake',
    input: '+1,3:a->x\ny\n+1,1:b->c\nbad\n\n',
    line: 4,
    expect: ['record 3'],
  },
  {
    // the bulk path (Writer.addCdbmake) takes the first 3,000 records, chunk after chunk; the
    // parser must still know the line, record and offset of the bad one
    name: 'cdbmake: error after 3,000 records taken in bulk, in 777-byte chunks',
    ext: 'cdbmake',
    input: Array.from({ length: 3000 }, (_, i) => `+${`k${i}\n`.length},2:k${i}\n->v\n\n`).join('') + '+1,1:z-y\n\n',
    line: 9001, // three newlines per record: in the key, in the value, at its end
    expect: [
      "expected '->'",
      'record 3001',
      `byte offset ${Array.from({ length: 3000 }, (_, i) => `+${`k${i}\n`.length},2:k${i}\n->v\n\n`.length).reduce((a, b) => a + b, 0) + 7}`,
    ],
    args: ['--chunk-size', '777'],
  },
  // jsonl
  { name: 'jsonl: invalid JSON', ext: 'jsonl', input: '{"key":"a","value":1}\n{"key":"b",\n', line: 2, expect: ['invalid JSON'] },
  {
    name: 'jsonl: not an object',
    ext: 'jsonl',
    input: '["a", 1]\n',
    line: 1,
    expect: ['expected an object {"key": …, "value": …}, got an array'],
  },
  { name: 'jsonl: no value', ext: 'jsonl', input: '\n{"key":"a"}\n', line: 2, expect: ['expected a "value" field'] },
  {
    name: 'jsonl: key not a string',
    ext: 'jsonl',
    input: '{"key":1,"value":"x"}\n',
    line: 1,
    expect: ['expected "key" to be a string, got a number'],
  },
  {
    name: 'jsonl: bad base64',
    ext: 'jsonl',
    input: '{"key":"a","value":"!!","encoding":"base64"}\n',
    line: 1,
    expect: ['"value" is not valid base64'],
  },
  {
    name: 'jsonl: unknown encoding',
    ext: 'jsonl',
    input: '{"key":"a","value":"x","encoding":"rot13"}\n',
    line: 1,
    expect: ['expected "encoding" to be one of'],
  },
  {
    name: 'jsonl: invalid UTF-8',
    ext: 'jsonl',
    input: Buffer.from('{"key":"a","value":"ok"}\n{"key":"\xff","value":"x"}\n', 'latin1'),
    line: 2,
    expect: ['invalid UTF-8'],
  },
  // json
  {
    name: 'json: missing comma',
    ext: 'json',
    input: '{\n  "a": 1,\n  "b": 2\n  "c": 3\n}\n',
    line: 4,
    expect: ["expected ',' or '}' after a value"],
  },
  { name: 'json: not an object', ext: 'json', input: '[1, 2]', line: 1, expect: ['expected a JSON object'] },
  { name: 'json: bad value', ext: 'json', input: '{\n"a": tru\n}', line: 2, expect: ['invalid JSON'] },
  { name: 'json: unterminated string', ext: 'json', input: '{\n"a": "x\n}', line: 2, expect: ['unterminated string'] },
  { name: 'json: trailing garbage', ext: 'json', input: '{"a": 1}\nxyz', line: 2, expect: ['expected the end of the input'] },
  // csv / tsv
  {
    name: 'csv: wrong field count',
    ext: 'csv',
    input: 'k,v\n1,a\n2,b,c\n',
    line: 3,
    expect: ['expected 2 fields (as in the header), got 3'],
  },
  {
    name: 'csv: unterminated quote',
    ext: 'csv',
    input: 'k,v\n1,"abc\n2,b\n',
    line: 4,
    expect: ['quoted field opened on line 2 has no closing'],
  },
  { name: 'csv: junk after a closing quote', ext: 'csv', input: 'k,v\n1,"a"b\n', line: 2, expect: ['after a closing quote'] },
  {
    name: 'csv: unknown key column',
    ext: 'csv',
    input: 'k,v\n1,a\n',
    line: 1,
    expect: ['no column named "id"'],
    args: ['--key-column', 'id'],
  },
  {
    name: 'csv: column index out of range',
    ext: 'csv',
    input: 'k,v\n1,a\n',
    line: 1,
    expect: ['--value-column 3 is past the last column'],
    args: ['--value-column', '3'],
  },
  { name: 'csv: empty input', ext: 'csv', input: '', line: 1, expect: ['expected a header row'] },
  {
    name: 'csv: invalid UTF-8',
    ext: 'csv',
    input: Buffer.from('k,v\n1,a\n2,\xfe\n', 'latin1'),
    line: 3,
    expect: ['invalid UTF-8'],
  },
  { name: 'tsv: wrong field count', ext: 'tsv', input: 'k\tv\n1\n', line: 2, expect: ['expected 2 fields'] },
  // duplicates
  {
    name: 'duplicate key with --duplicates error',
    ext: 'jsonl',
    input: '{"key":"a","value":1}\n{"key":"b","value":1}\n{"key":"a","value":2}\n',
    line: 3,
    expect: ['duplicate key "a"'],
    args: ['--duplicates', 'error'],
  },
];

const EXISTING = cdbmake([['existing', 'database']]);

function freshDir(): string {
  const d = path.join(dir, `case${n++}`);
  fs.mkdirSync(d);
  return d;
}

describe('malformed build input', () => {
  it.each(BAD.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const d = freshDir();
    const input = path.join(d, `input.${c.ext}`);
    fs.writeFileSync(input, c.input);
    const target = path.join(d, 'out.cdb');

    // 1. No target yet: none is created.
    const r = await cdb(['build', target, input, ...(c.args ?? [])]);
    expectOneLineError(r, `cdb build: ${input}:${c.line}: `, ...c.expect);
    expect(r.stdout.length).toBe(0);
    expect(fs.existsSync(target)).toBe(false);
    expect(tempLeftovers(d)).toEqual([]);

    // 2. An existing target is not replaced.
    await ok(['build', target, '-q'], { input: EXISTING });
    const before = sha256(target);
    const again = await cdb(['build', target, input, ...(c.args ?? [])]);
    expect(again.status).toBe(111);
    expect(again.stderr).toBe(r.stderr);
    expect(sha256(target)).toBe(before);
    expect(tempLeftovers(d)).toEqual([]);
  });

  it('stdin is named <stdin>', async () => {
    const d = freshDir();
    const target = path.join(d, 'out.cdb');
    const r = await cdb(['build', target, '--input-format', 'jsonl'], { input: '{"key":"a","value":1}\nnope\n' });
    expectOneLineError(r, 'cdb build: <stdin>:2: invalid JSON');
    expect(fs.existsSync(target)).toBe(false);
    expect(tempLeftovers(d)).toEqual([]);
  });

  it('an error in the second input names that file (and nothing is published)', async () => {
    const d = freshDir();
    const bad = path.join(d, 'bad.jsonl');
    fs.writeFileSync(bad, '{"key":"x"}\n');
    const target = path.join(d, 'out.cdb');
    expectOneLineError(await cdb(['build', target, fixture('small.cdbmake'), bad]), `${bad}:1: expected a "value" field`);
    expect(fs.existsSync(target)).toBe(false);
    expect(tempLeftovers(d)).toEqual([]);
  });
});

describe('a database given as build input', () => {
  it.each([
    ['mmcdb', [], 'an mmcdb'],
    ['classic', ['--format', 'classic'], 'a classic cdb'],
  ])('%s, as a file or on stdin: one line that says to use cdb convert, nothing created', async (_name, flags, what) => {
    const d = freshDir();
    const db = path.join(d, 'db.data');
    await ok(['build', db, fixture('small.cdbmake'), '-q', ...flags]);
    const target = path.join(d, 'out.mmcdb');
    expectOneLineError(
      await cdb(['build', target, db]),
      `cdb build: ${db}:1: this is ${what} database, not build input: to copy or convert it, use cdb convert ${db} <out>`,
    );
    expectOneLineError(
      await cdb(['build', target], { input: fs.readFileSync(db) }),
      `<stdin>:1: this is ${what} database`,
      'cdb convert <db> <out>',
    );
    expect(fs.existsSync(target)).toBe(false);
    expect(tempLeftovers(d)).toEqual([]);
  });

  it('also an empty classic database (its table of contents holds no record)', async () => {
    const d = freshDir();
    const db = path.join(d, 'empty.cdb');
    await ok(['build', db, '--format', 'classic'], { input: '\n' });
    expectOneLineError(await cdb(['build', path.join(d, 'out.mmcdb'), db]), 'this is a classic cdb database');
  });
});

describe('missing and unreadable files', () => {
  it('a missing input file', async () => {
    const d = freshDir();
    const target = path.join(d, 'out.cdb');
    const missing = path.join(d, 'missing.jsonl');
    expectOneLineError(
      await cdb(['build', target, missing]),
      `cdb build: cannot read ${missing}: no such file or directory (ENOENT)`,
    );
    expect(fs.readdirSync(d)).toEqual([]);
  });

  it('a folder given as an input file (unreadable as a file)', async () => {
    const d = freshDir();
    const target = path.join(d, 'out.cdb');
    await ok(['build', target, '-q'], { input: EXISTING });
    const before = sha256(target);
    expectOneLineError(await cdb(['build', target, d]), `cannot read ${d}: is a directory (EISDIR)`, '--input-format dir');
    expect(sha256(target)).toBe(before);
    expect(tempLeftovers(d)).toEqual([]);
  });

  it('a file given with --input-format dir', async () => {
    const d = freshDir();
    expectOneLineError(
      await cdb(['build', path.join(d, 'o.cdb'), fixture('small.csv'), '--input-format', 'dir']),
      'not a folder',
    );
  });

  it('an output path in a missing folder', async () => {
    const target = path.join(dir, 'no-such-folder', 'out.cdb');
    expectOneLineError(
      await cdb(['build', target, fixture('small.cdbmake')]),
      `cannot create ${target}: no such file or directory (ENOENT)`,
    );
  });

  it('an output path that is a folder: nothing replaced, no temp file', async () => {
    const d = freshDir();
    const target = path.join(d, 'sub');
    fs.mkdirSync(target);
    const r = await cdb(['build', target, fixture('small.cdbmake')]);
    expectOneLineError(r, `cannot write ${target}:`);
    expect(fs.statSync(target).isDirectory()).toBe(true);
    expect(tempLeftovers(d)).toEqual([]);
  });

  it('--metadata @missing-file', async () => {
    const d = freshDir();
    const missing = path.join(d, 'meta.json');
    expectOneLineError(
      await cdb(['build', path.join(d, 'o.cdb'), '--metadata', `@${missing}`], { input: '\n' }),
      `cannot read the metadata file ${missing}`,
    );
    expect(fs.readdirSync(d)).toEqual([]);
  });
});

describe('bad databases (get, dump, keys, stats)', () => {
  const d = tempDir('mmcdb-cli-baddb-');
  const good = path.join(d, 'good.cdb');
  const notDb = fixture('small.jsonl');
  const truncated = path.join(d, 'truncated.cdb');
  const shortHeader = path.join(d, 'short.cdb');
  const missing = path.join(d, 'missing.cdb');

  const commands: [string, string[]][] = [
    ['get', ['x']],
    ['dump', []],
    ['keys', []],
    ['stats', []],
  ];

  it.each(commands)(
    '%s: not a database, truncated, missing, a folder → exit 111, one line naming the file',
    async (cmd, extra) => {
      if (!fs.existsSync(good)) {
        await ok(['build', good, fixture('small.cdbmake'), '-q']);
        const bytes = fs.readFileSync(good);
        fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 100));
        fs.writeFileSync(shortHeader, bytes.subarray(0, 50));
      }
      expectOneLineError(await cdb([cmd, notDb, ...extra]), `cdb ${cmd}: ${notDb}: not an mmcdb or cdb file`, 'ERR_CDB_FORMAT');
      expectOneLineError(await cdb([cmd, truncated, ...extra]), `cdb ${cmd}: ${truncated}: `, 'ERR_CDB_TRUNCATED');
      expectOneLineError(await cdb([cmd, shortHeader, ...extra]), `${shortHeader}: `, 'ERR_CDB_TRUNCATED');
      expectOneLineError(await cdb([cmd, missing, ...extra]), `cannot open ${missing}: no such file or directory (ENOENT)`);
      expectOneLineError(await cdb([cmd, d, ...extra]), `cannot open ${d}: is a directory`);
      for (const backend of ['memory', 'pread']) {
        expectOneLineError(await cdb([cmd, truncated, ...extra, '--backend', backend]), 'ERR_CDB_TRUNCATED');
      }
    },
  );

  it('DEBUG=mmcdb adds the stack trace', async () => {
    const r = await cdb(['get', missing, 'x'], { env: { DEBUG: 'mmcdb' } });
    expect(r.status).toBe(111);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
