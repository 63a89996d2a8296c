// The input parsers in isolation (packages/cli/dist/input): every chunking of the input
// gives the same records (a record may span any number of chunks), and records come out
// while the input is still arriving (streaming, not read whole).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CdbmakeParser } from '../../../packages/cli/dist/input/cdbmake.js';
import { JsonlParser } from '../../../packages/cli/dist/input/jsonl.js';
import { CsvParser } from '../../../packages/cli/dist/input/csv.js';
import { JsonObjectParser } from '../../../packages/cli/dist/input/json.js';
import { tempDir } from '../../helpers/tmp.js';
import { cdbmake, fixture, ok, sha256 } from '../helpers.js';

type Rec = [string, string];
type Parser = { push(c: Uint8Array): void; end(): void };
type Make = (sink: (k: Uint8Array, v: Uint8Array) => void) => Parser;

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Parses `input` fed in chunks of `size` bytes (copies, so views of old chunks would show up). */
function parse(make: Make, input: Buffer, size: number): Rec[] {
  const out: Rec[] = [];
  const p = make((k, v) => out.push([hex(k), hex(v)]));
  for (let i = 0; i < input.length; i += size) {
    const chunk = Buffer.from(input.subarray(i, i + size));
    p.push(chunk);
    chunk.fill(0x21); // the caller may reuse its buffer: the parser must not keep views of it
  }
  p.end();
  return out;
}

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomRecords(seed: number, count: number): [Buffer, Buffer][] {
  const r = rng(seed);
  const special = [0, 10, 13, 43, 44, 58, 45, 62, 0xff, 0xc3];
  const bytes = (max: number) =>
    Buffer.from(
      Array.from({ length: Math.floor(r() * max) }, () =>
        r() < 0.4 ? special[Math.floor(r() * special.length)]! : Math.floor(r() * 256),
      ),
    );
  return Array.from({ length: count }, () => [bytes(12), bytes(40)] as [Buffer, Buffer]);
}

const SIZES = [1, 2, 3, 5, 7, 13, 64, 1 << 20];

describe('cdbmake parser', () => {
  const recs = randomRecords(7, 300);
  const input = cdbmake(recs);
  const expected = recs.map(([k, v]) => [hex(k), hex(v)]);
  const make: Make = (sink) => new CdbmakeParser('input', sink);

  it.each(SIZES)('binary records in chunks of %i bytes', (size) => {
    expect(parse(make, input, size)).toEqual(expected);
  });

  it('every split point of a small input', () => {
    const small = cdbmake([
      ['key', 'va\nlue'],
      ['', ''],
      [Buffer.from([0xff, 10]), '->'],
    ]);
    const want = parse(make, small, small.length);
    for (let cut = 1; cut < small.length; cut++) {
      const out: Rec[] = [];
      const p = make((k, v) => out.push([hex(k), hex(v)]));
      p.push(Buffer.from(small.subarray(0, cut)));
      p.push(Buffer.from(small.subarray(cut)));
      p.end();
      expect(out, `cut at ${cut}`).toEqual(want);
    }
  });

  it('streams: records are emitted as their bytes arrive, before end()', () => {
    const seen: string[] = [];
    const p = make((k) => seen.push(Buffer.from(k).toString()));
    p.push(Buffer.from('+1,1:a->1\n+1,1:b-'));
    expect(seen).toEqual(['a']);
    p.push(Buffer.from('>2\n'));
    expect(seen).toEqual(['a', 'b']);
    p.push(Buffer.from('\n'));
    p.end();
  });

  it('ignores bytes after the terminating empty line (like cdbmake)', () => {
    expect(parse(make, Buffer.from('+1,1:a->b\n\ntrailing junk'), 4)).toEqual([[hex(Buffer.from('a')), hex(Buffer.from('b'))]]);
  });

  it('accepts leading zeros in lengths', () => {
    expect(parse(make, Buffer.from('+001,0002:a->bc\n\n'), 3)).toEqual([[hex(Buffer.from('a')), hex(Buffer.from('bc'))]]);
  });
});

describe('jsonl parser', () => {
  const lines = [
    '{"key":"a","value":"x"}',
    '{"key":"ü☃","value":{"n":[1,2]}}',
    '',
    '{"key":"bin","value":"AP8=","encoding":"base64"}',
    '{"key":"/w==","keyEncoding":"base64","value":"v"}\r',
    '{"key":"last","value":"no final newline"}',
  ];
  const input = Buffer.from(lines.join('\n'));
  const make: Make = (sink) => new JsonlParser('input', sink);
  const expected = parse(make, input, input.length);

  it('decodes as documented', () => {
    expect(
      expected.map(([k, v]) => [Buffer.from(k, 'hex').toString('latin1'), Buffer.from(v, 'hex').toString('latin1')]),
    ).toEqual([
      ['a', 'x'],
      [Buffer.from('ü☃').toString('latin1'), '{"n":[1,2]}'],
      ['bin', '\x00\xff'],
      ['\xff', 'v'],
      ['last', 'no final newline'],
    ]);
  });

  it.each(SIZES)('same records in chunks of %i bytes (multi-byte characters split too)', (size) => {
    expect(parse(make, input, size)).toEqual(expected);
  });

  it('streams: a line is parsed as soon as its newline arrives', () => {
    const seen: string[] = [];
    const p = make((k) => seen.push(Buffer.from(k).toString()));
    p.push(Buffer.from('{"key":"a","value":1}\n{"key":"b",'));
    expect(seen).toEqual(['a']);
    p.push(Buffer.from('"value":2}\n'));
    expect(seen).toEqual(['a', 'b']);
    p.end();
  });
});

describe('csv parser', () => {
  const input = fs.readFileSync(fixture('small.csv'));
  const make: Make = (sink) => new CsvParser('input', sink, { delimiter: ',', valueColumn: 'note' });
  const expected = parse(make, input, input.length);

  it.each(SIZES)('same records in chunks of %i bytes (quotes, CRLF and UTF-8 split across chunks)', (size) => {
    expect(parse(make, input, size)).toEqual(expected);
    expect(expected).toHaveLength(4);
  });

  it('a final row without a newline, a lone blank line skipped, quotes inside unquoted fields kept', () => {
    const out = parse(
      (sink) => new CsvParser('i', sink, { delimiter: ',', valueColumn: '2' }),
      Buffer.from('k,v\n\na,5" disk\nb,"x,y"'),
      2,
    );
    expect(out.map(([k, v]) => [Buffer.from(k, 'hex').toString(), Buffer.from(v, 'hex').toString()])).toEqual([
      ['a', '5" disk'],
      ['b', 'x,y'],
    ]);
  });
});

describe('csv parser: --no-header, --comment, --relax-column-count', () => {
  const text = (out: Rec[]) => out.map(([k, v]) => [Buffer.from(k, 'hex').toString(), Buffer.from(v, 'hex').toString()]);

  it.each(SIZES)(
    'comment lines (also before the first row, also CRLF) are skipped in chunks of %i bytes; a # inside a row or a quoted field stays',
    (size) => {
      const input = Buffer.from('# head\r\n#\nk\tv\n# mid\na\t#1\nb\t"x\n# not a comment"\n#end');
      const out = parse((sink) => new CsvParser('i', sink, { delimiter: '\t', comment: '#', valueColumn: 'v' }), input, size);
      expect(text(out)).toEqual([
        ['a', '#1'],
        ['b', 'x\n# not a comment'],
      ]);
    },
  );

  it.each(SIZES)('no header: the first row is a record, columns by number, the value a JSON array (chunks of %i)', (size) => {
    const out = parse((sink) => new CsvParser('i', sink, { delimiter: ',', header: false }), Buffer.from('a,1\nb,2\n'), size);
    expect(text(out)).toEqual([
      ['a', '["a","1"]'],
      ['b', '["b","2"]'],
    ]);
  });

  it('relaxed: a short row gets empty fields; a long row is still an error naming its line', () => {
    const make = (sink: (k: Uint8Array, v: Uint8Array) => void) =>
      new CsvParser('in.csv', sink, { delimiter: ',', relaxColumnCount: true });
    expect(text(parse(make, Buffer.from('k,a,b\nx,1\ny\n'), 3))).toEqual([
      ['x', '{"k":"x","a":"1","b":""}'],
      ['y', '{"k":"y","a":"","b":""}'],
    ]);
    expect(() => parse(make, Buffer.from('k,a\nx,1\ny,2,3\n'), 4)).toThrow(
      'in.csv:3: expected at most 2 fields (as in the header), got 3',
    );
    const noHeader = (sink: (k: Uint8Array, v: Uint8Array) => void) =>
      new CsvParser('t', sink, { delimiter: ',', header: false, relaxColumnCount: true });
    expect(() => parse(noHeader, Buffer.from('a,1\nb,2,3\n'), 64)).toThrow(
      't:2: expected at most 2 fields (as in the first row), got 3',
    );
  });
});

describe('json parser', () => {
  it.each([1, 3, 1 << 20])('same records in chunks of %i bytes', (size) => {
    const input = fs.readFileSync(fixture('small.json'));
    const make: Make = (sink) => new JsonObjectParser('input', sink);
    expect(parse(make, input, size)).toEqual(parse(make, input, input.length));
  });
});

describe('the CLI reads in chunks: --chunk-size 1 builds the same file', () => {
  const dir = tempDir('mmcdb-cli-chunks-');
  it.each(['small.cdbmake', 'small.jsonl', 'small.csv', 'small.json'])('%s', async (name) => {
    const a = path.join(dir, `${name}.a.cdb`);
    const b = path.join(dir, `${name}.b.cdb`);
    await ok(['build', a, fixture(name)]);
    await ok(['build', b, fixture(name), '--chunk-size', '1']);
    expect(sha256(a)).toBe(sha256(b));
    const c = path.join(dir, `${name}.c.cdb`);
    await ok(['build', c, '-', '--chunk-size', '3', '--input-format', name.split('.')[1]!], {
      input: fs.readFileSync(fixture(name)),
    });
    expect(sha256(c)).toBe(sha256(a));
  });
});
