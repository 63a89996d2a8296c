// classic-level (LevelDB): gets through getSync so the loop is the same synchronous loop as the others.
import { ClassicLevel } from 'classic-level';
import * as fs from 'node:fs';
import { readCdbmake } from '../lib/cdbmake.mjs';

export const store = 'level';
const options = { keyEncoding: 'utf8', valueEncoding: 'buffer' };

export async function build(src, out) {
  fs.rmSync(out, { recursive: true, force: true });
  const db = new ClassicLevel(out, options);
  await db.open();
  let n = 0;
  let ops = [];
  for (const [k, v] of readCdbmake(src)) {
    ops.push({ type: 'put', key: k.latin1Slice(), value: v });
    n++;
    if (ops.length === 10_000) {
      await db.batch(ops);
      ops = [];
    }
  }
  if (ops.length) await db.batch(ops);
  await db.compactRange('\x00', '\xff');
  await db.close();
  return { records: n };
}

export async function open(file) {
  const db = new ClassicLevel(file, options);
  await db.open({ createIfMissing: false });
  return {
    get: (k) => db.getSync(k),
    async scan(touch) {
      for await (const v of db.values()) touch(v);
    },
    close: () => db.close(),
  };
}
