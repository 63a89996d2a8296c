// Shared by the classic cdb tests: a seeded PRNG, dataset generators, the cdbmake text
// format, and the reference tools (tinycdb, freecdb) when they are installed.
import * as fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { djbHash } from '@mmcdb/core/internal';

export type Rec = [Buffer, Buffer];

export const TINYCDB = '/usr/bin/cdb';
export const CDBMAKE = '/usr/bin/cdbmake';
export const CDBDUMP = '/usr/bin/cdbdump';
export const CDBGET = '/usr/bin/cdbget';

/** Why the reference tools cannot be used here, or undefined when they can. */
export function toolsMissing(): string | undefined {
  if (!fs.existsSync(TINYCDB)) return `${TINYCDB} (tinycdb) is not installed: apt-get install tinycdb`;
  const help = spawnSync(TINYCDB, ['-h'], { encoding: 'latin1' });
  if (!String(help.stdout).includes('Constant DataBase')) return `${TINYCDB} is not tinycdb`;
  for (const tool of [CDBMAKE, CDBDUMP, CDBGET]) {
    if (!fs.existsSync(tool)) return `${tool} (freecdb) is not installed: apt-get install freecdb`;
  }
  return undefined;
}

/** mulberry32: a small seeded PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SPECIAL = [0, 10, 13, 43, 44, 58, 45, 62, 255, 128, 32];

function randomBytes(rand: () => number, len: number): Buffer {
  const b = Buffer.alloc(len);
  for (let i = 0; i < len; i++) b[i] = rand() < 0.2 ? SPECIAL[Math.floor(rand() * SPECIAL.length)]! : Math.floor(rand() * 256);
  return b;
}

/** `count` keys whose djb hash falls in table `table` (h & 255). */
export function keysInTable(rand: () => number, table: number, count: number): Buffer[] {
  const out: Buffer[] = [];
  while (out.length < count) {
    const k = Buffer.from(`t${table}-${Math.floor(rand() * 1e9).toString(36)}`);
    if ((djbHash(k) & 255) === table) out.push(k);
  }
  return out;
}

/**
 * A seeded dataset: duplicates, empty keys and values, binary bytes, many keys in one
 * table, and the full 32-bit djb collision pair "playwright"/"snush".
 */
export function dataset(seed: number, count: number): Rec[] {
  const rand = rng(seed);
  const colliding = keysInTable(rand, Math.floor(rand() * 256), 80);
  const recs: Rec[] = [];
  const value = (): Buffer => {
    const r = rand();
    if (r < 0.1) return Buffer.alloc(0);
    if (r < 0.12) return randomBytes(rand, 2000 + Math.floor(rand() * 6000));
    return randomBytes(rand, Math.floor(rand() * 60));
  };
  recs.push([Buffer.from('playwright'), Buffer.from('p1')], [Buffer.from('snush'), Buffer.from('s1')]);
  while (recs.length < count) {
    const r = rand();
    let key: Buffer;
    if (r < 0.15 && recs.length > 0) key = recs[Math.floor(rand() * recs.length)]![0];
    else if (r < 0.18) key = Buffer.alloc(0);
    else if (r < 0.3) key = colliding[Math.floor(rand() * colliding.length)]!;
    else if (r < 0.32) key = Buffer.from(rand() < 0.5 ? 'playwright' : 'snush');
    else if (r < 0.6) key = Buffer.from(`key-${Math.floor(rand() * 100000)}`);
    else key = randomBytes(rand, 1 + Math.floor(rand() * (rand() < 0.05 ? 300 : 24)));
    recs.push([Buffer.from(key), value()]);
  }
  return recs;
}

/** The cdbmake/`cdb -d` text of `recs`: `+klen,dlen:key->data\n` each, then `\n`. */
export function cdbmakeText(recs: readonly Rec[]): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of recs) parts.push(Buffer.from(`+${k.length},${v.length}:`), k, Buffer.from('->'), v, Buffer.from('\n'));
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

/** Parses cdbmake text (strictly: a final empty line is required). */
export function parseCdbmake(text: Buffer): Rec[] {
  const recs: Rec[] = [];
  let p = 0;
  const num = (end: number): number => {
    const start = p;
    while (text[p]! >= 48 && text[p]! <= 57) p++;
    if (p === start || text[p] !== end) throw new Error(`bad cdbmake input at ${p}`);
    return Number(text.subarray(start, p++).toString('latin1'));
  };
  while (text[p] === 43 /* + */) {
    p++;
    const klen = num(44);
    const dlen = num(58);
    const key = text.subarray(p, p + klen);
    p += klen;
    if (text[p] !== 45 || text[p + 1] !== 62) throw new Error(`bad cdbmake input at ${p}`);
    p += 2;
    const data = text.subarray(p, p + dlen);
    p += dlen;
    if (text[p] !== 10) throw new Error(`bad cdbmake input at ${p}`);
    p++;
    recs.push([Buffer.from(key), Buffer.from(data)]);
  }
  if (text[p] !== 10) throw new Error(`bad cdbmake input at ${p}: missing final newline`);
  return recs;
}

/** key (hex) → values in insertion order, under a duplicates policy. */
export function modelOf(recs: readonly Rec[], duplicates: 'all' | 'first' | 'last' = 'all'): Map<string, Buffer[]> {
  const m = new Map<string, Buffer[]>();
  for (const [k, v] of recs) {
    const key = k.toString('hex');
    const list = m.get(key);
    if (list === undefined) m.set(key, [v]);
    else if (duplicates === 'all') list.push(v);
    else if (duplicates === 'last') list[0] = v;
  }
  return m;
}

/** The records a duplicates policy keeps, in file order (tinycdb -u / -r semantics). */
export function survivors(recs: readonly Rec[], duplicates: 'all' | 'first' | 'last'): Rec[] {
  if (duplicates === 'all') return recs.slice();
  const seen = new Map<string, number>();
  const keep: (Rec | undefined)[] = [];
  for (const r of recs) {
    const key = r[0].toString('hex');
    const at = seen.get(key);
    if (at === undefined) {
      seen.set(key, keep.length);
      keep.push(r);
    } else if (duplicates === 'last') {
      keep[at] = undefined;
      seen.set(key, keep.length);
      keep.push(r);
    }
  }
  return keep.filter((r): r is Rec => r !== undefined);
}

/**
 * Runs a tool; returns exit status and raw output. `stdin` is a file path (opened and
 * handed over as a seekable descriptor: freecdb's cdbget/cdbdump seek on their input)
 * or bytes to pipe.
 */
export function run(
  cmd: string,
  args: string[],
  stdin?: string | Buffer,
): { status: number | null; stdout: Buffer; stderr: string } {
  const fd = typeof stdin === 'string' ? fs.openSync(stdin, 'r') : undefined;
  try {
    const r = spawnSync(cmd, args, {
      input: typeof stdin === 'string' ? undefined : stdin,
      stdio: [fd ?? 'pipe', 'pipe', 'pipe'],
      maxBuffer: 1 << 28,
    });
    if (r.error) throw r.error;
    return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** Keys (hex) whose getAll()/get() differ from the model: [] when the reader agrees. */
export function modelMismatches(
  db: { getAll(k: Uint8Array): Buffer[]; get(k: Uint8Array): Buffer | undefined },
  model: Map<string, Buffer[]>,
): string[] {
  const bad: string[] = [];
  for (const [key, values] of model) {
    const k = Buffer.from(key, 'hex');
    const got = db.getAll(k);
    const first = db.get(k);
    if (
      got.length !== values.length ||
      got.some((v, i) => !v.equals(values[i]!)) ||
      first === undefined ||
      !first.equals(values[0]!)
    ) {
      bad.push(key);
    }
  }
  return bad;
}

/** Whether iterating `db` yields exactly `recs`, in order. */
export function sameEntries(db: Iterable<[Buffer, Buffer]>, recs: readonly Rec[]): boolean {
  let i = 0;
  for (const [k, v] of db) {
    const r = recs[i++];
    if (!r || !r[0].equals(k) || !r[1].equals(v)) return false;
  }
  return i === recs.length;
}
