// Databases for the remote tests, built once per test file into a temp folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { build, type WriterOptions } from '@mmcdb/core';

export const keyOf = (i: number): string => `key:${i}`;
export const valueFor = (i: number): string => `value ${i} ${'v'.repeat(i % 50)}`;

/** `n` records key:i → value i …, both formats; returns the file bytes. */
export async function buildPair(
  dir: string,
  name: string,
  n: number,
  extra: Array<[string, Uint8Array]> = [],
  options: WriterOptions = {},
): Promise<{ mmcdb: Buffer; classic: Buffer }> {
  const records = (): Array<[string, string | Uint8Array]> => [
    ...Array.from({ length: n }, (_, i): [string, string] => [keyOf(i), valueFor(i)]),
    ...extra,
  ];
  const m = path.join(dir, `${name}.mmcdb`);
  const c = path.join(dir, `${name}.cdb`);
  await build(m, records(), options);
  await build(c, records(), { format: 'classic' });
  return { mmcdb: fs.readFileSync(m), classic: fs.readFileSync(c) };
}

/** Deterministic pseudo-random sample of `count` indexes below `n`. */
export function sample(n: number, count: number, seed = 1): number[] {
  let x = seed >>> 0 || 1;
  return Array.from({ length: count }, () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  });
}
