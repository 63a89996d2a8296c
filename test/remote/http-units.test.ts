// The pure parts of the HTTP source, one rule at a time: Content-Range, validators,
// multipart/byteranges, run planning and the LRU. (Imported from dist: these modules are
// not part of any entry point.)
import { describe, expect, it } from 'vitest';
import { parseContentRange, versionMismatch, versionOf } from '../../packages/core/dist/source/http/validators.js';
import { byterangesBoundary, parseByteranges } from '../../packages/core/dist/source/http/multipart.js';
import { planRuns } from '../../packages/core/dist/source/http/range-plan.js';
import { BlockCache } from '../../packages/core/dist/source/http/block-cache.js';
import { redactUrl } from '../../packages/core/dist/source/http/remote-error.js';

const h = (o: Record<string, string>) => new Headers(o);

describe('Content-Range', () => {
  it('parses ranges, unknown totals and unsatisfied ranges; refuses the rest', () => {
    expect(parseContentRange('bytes 0-99/1000')).toEqual({ start: 0, end: 100, total: 1000 });
    expect(parseContentRange('bytes 5-5/*')).toEqual({ start: 5, end: 6, total: undefined });
    expect(parseContentRange('bytes */42')).toEqual({ unsatisfied: 42 });
    for (const bad of [null, '', 'bytes 9-5/10', 'bytes 0-10/10', 'items 0-1/2', 'bytes 0-1', `bytes 0-1/${2 ** 60}`]) {
      expect(parseContentRange(bad), String(bad)).toBeUndefined();
    }
  });
});

describe('validators', () => {
  it('pins a strong ETag; a weak one does not count, Last-Modified is used instead', () => {
    expect(versionOf(h({ etag: '"abc"' }), 10)).toMatchObject({ etag: '"abc"', size: 10 });
    expect(versionOf(h({ etag: 'W/"abc"', 'last-modified': 'x' }), 10)).toMatchObject({ etag: undefined, lastModified: 'x' });
  });

  it('a response of another version, or one that cannot show its version, mismatches', () => {
    const pinned = versionOf(h({ etag: '"a"', 'last-modified': 'm' }), 10);
    expect(versionMismatch(pinned, h({ etag: '"a"' }), 10)).toBeUndefined();
    expect(versionMismatch(pinned, h({ etag: '"b"' }), 10)).toMatch(/ETag/);
    expect(versionMismatch(pinned, h({}), 10)).toMatch(/ETag/);
    expect(versionMismatch(pinned, h({ etag: '"a"' }), 11)).toMatch(/size/);
    const byDate = versionOf(h({ 'last-modified': 'm' }), 10);
    expect(versionMismatch(byDate, h({ 'last-modified': 'm' }), 10)).toBeUndefined();
    expect(versionMismatch(byDate, h({ 'last-modified': 'n' }), 10)).toMatch(/Last-Modified/);
  });
});

describe('multipart/byteranges', () => {
  const body = (parts: Array<[number, string]>, boundary = 'B') =>
    new TextEncoder().encode(
      parts
        .map(([s, d]) => `\r\n--${boundary}\r\nContent-Type: x\r\nContent-Range: bytes ${s}-${s + d.length - 1}/100\r\n\r\n${d}`)
        .join('') + `\r\n--${boundary}--\r\n`,
    );

  it('finds the boundary and the parts, data taken by length (a boundary inside data is harmless)', () => {
    expect(byterangesBoundary('multipart/byteranges; boundary=abc')).toBe('abc');
    expect(byterangesBoundary('multipart/byteranges; boundary="a b"')).toBe('a b');
    expect(byterangesBoundary('application/octet-stream')).toBeUndefined();
    const parts = parseByteranges(
      body([
        [0, 'hello'],
        [50, '--B\r\n'],
      ]),
      'B',
    );
    expect(parts.map((p) => [p.start, p.end, new TextDecoder().decode(p.bytes)])).toEqual([
      [0, 5, 'hello'],
      [50, 55, '--B\r\n'],
    ]);
  });

  it('refuses a body cut short, a part without Content-Range, a part past the body', () => {
    const good = body([[0, 'hello']]);
    expect(() => parseByteranges(good.subarray(0, good.length - 10), 'B')).toThrow();
    expect(() => parseByteranges(new TextEncoder().encode('\r\n--B\r\nContent-Type: x\r\n\r\nzz\r\n--B--'), 'B')).toThrow(
      /Content-Range/,
    );
    expect(() => parseByteranges(new TextEncoder().encode('\r\n--B\r\nContent-Range: bytes 0-999/1000\r\n\r\nzz'), 'B')).toThrow(
      /past/,
    );
  });
});

describe('run planning', () => {
  it('merges consecutive blocks, and gaps up to the max unless a gap block is already available', () => {
    const none = () => false;
    expect(planRuns([1, 2, 3, 7], 0, none)).toEqual([
      { first: 1, last: 3 },
      { first: 7, last: 7 },
    ]);
    expect(planRuns([1, 2, 3, 7], 3, none)).toEqual([{ first: 1, last: 7 }]);
    expect(planRuns([1, 7], 10, (b) => b === 4)).toEqual([
      { first: 1, last: 1 },
      { first: 7, last: 7 },
    ]);
  });
});

describe('block cache', () => {
  it('evicts the least recently used blocks past its byte limit; 0 caches nothing', () => {
    const c = new BlockCache(3 * 4 * 8);
    for (let i = 0; i < 3; i++) c.set(i, new Uint8Array(32).fill(i));
    c.get(0); // 1 is now the oldest
    c.set(3, new Uint8Array(32));
    expect([c.has(0), c.has(1), c.has(2), c.has(3)]).toEqual([true, false, true, true]);
    expect(c.bytes).toBe(96);
    // Blocks that share a body count it once, for as long as one of them is cached.
    const shared = new BlockCache(4096);
    const body = new Uint8Array(300);
    shared.set(0, body.subarray(0, 100));
    shared.set(1, body.subarray(100, 200));
    expect(shared.bytes).toBe(300);
    const none = new BlockCache(0);
    none.set(0, new Uint8Array(4));
    expect(none.blocks).toBe(0);
  });
});

it('redacts credentials and query strings from URLs', () => {
  expect(redactUrl('https://user:pw@bucket.example/db.mmcdb?X-Amz-Signature=s3cr3t#x')).toBe('https://bucket.example/db.mmcdb?…');
  expect(redactUrl('http://h/db')).toBe('http://h/db');
});
