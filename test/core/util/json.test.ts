// Deep JSON: metadata nested deeper than MAX_JSON_DEPTH is refused when writing (it used
// to be written, and then reader.metadata threw "Maximum call stack size exceeded" while
// verify said ok); a crafted file with such metadata gives ERR_CDB_FORMAT on read and in
// verify; a deeply nested jsonl value names its file and line.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { build, MAX_JSON_DEPTH, openSync, verify } from '@mmcdb/core';
import { decodeHeader, encodeHeader, HEADER_SIZE, hashReady, xxh64 } from '@mmcdb/core/internal';
import { availableBackends } from '../../helpers/backends.js';
import { tempDir } from '../../helpers/tmp.js';
import { cdb } from '../../cli/helpers.js';

const dir = tempDir('mmcdb-json-');
const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
};

/** A file whose metadata is `text` (header and checksums fixed up as a writer would). */
async function withMetadata(file: string, text: string): Promise<void> {
  await hashReady;
  await build(file, [['k', 'v']], { metadata: 'x' });
  const bytes = fs.readFileSync(file);
  const h = decodeHeader(bytes.subarray(0, HEADER_SIZE), bytes.length);
  const meta = Buffer.from(text);
  const out = Buffer.concat([bytes.subarray(0, h.metaOffset), meta]);
  const body = xxh64(out.subarray(HEADER_SIZE), 0n);
  out.set(encodeHeader({ ...h, metaLength: meta.length, fileLength: out.length, bodyChecksum: body }), 0);
  fs.writeFileSync(file, out);
}

describe('JSON depth limit', () => {
  it(`metadata up to ${MAX_JSON_DEPTH} levels is written; deeper is a RangeError and nothing is published`, async () => {
    const ok = path.join(dir, 'ok.mmcdb');
    await build(ok, [], { metadata: nested(MAX_JSON_DEPTH) });
    expect(JSON.stringify(openSync(ok, { backend: 'memory' }).metadata).length).toBeGreaterThan(MAX_JSON_DEPTH);
    const deep = path.join(dir, 'deep.mmcdb');
    await expect(build(deep, [], { metadata: nested(100_000) })).rejects.toThrow(RangeError);
    expect(fs.existsSync(deep)).toBe(false);
  });

  it.each(availableBackends())(
    'crafted deep metadata: ERR_CDB_FORMAT from reader.metadata (%s) and from verify',
    async (backend) => {
      const file = path.join(dir, `crafted-${backend}.mmcdb`);
      await withMetadata(file, '['.repeat(50_000) + ']'.repeat(50_000));
      const db = openSync(file, { backend });
      expect(() => db.metadata).toThrow(
        expect.objectContaining({ code: 'ERR_CDB_FORMAT', message: expect.stringMatching(/nests deeper than/) }),
      );
      expect(db.getString('k')).toBe('v');
      db.close();
      const report = await verify(file);
      expect(report.ok).toBe(false);
      expect(report.error?.code).toBe('ERR_CDB_FORMAT');
    },
  );

  it('a deeply nested jsonl value: an input error naming the file and line', async () => {
    const input = path.join(dir, 'deep.jsonl');
    fs.writeFileSync(input, `{"key":"a","value":1}\n{"key":"b","value":${'['.repeat(20_000)}${']'.repeat(20_000)}}\n`);
    const r = await cdb(['build', path.join(dir, 'out.mmcdb'), input]);
    expect(r.status).toBe(111);
    expect(r.stderr).toContain(`${input}:2: JSON nests deeper than ${MAX_JSON_DEPTH} levels`);
  });
});
