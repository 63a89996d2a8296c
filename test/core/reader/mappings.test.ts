// mappings() (packages/core/src/reader/mappings.ts, native src/mapping_list.cc): every file
// the native reader maps in this process, with who holds it — including a closed reader's
// mapping that a live view keeps (the memory heap reports miss).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, mappings, openSync } from '@mmcdb/core';
import { fullGc } from '../../native/helpers/gc.js';
import { tempDir } from '../../helpers/tmp.js';

const dir = tempDir('mmcdb-mappings-');
const file = path.join(dir, 'm.mmcdb');
const classic = path.join(dir, 'm.cdb');
const records = Array.from({ length: 2000 }, (_, i) => [`key${i}`, Buffer.alloc(500, i % 251)] as const);

const mine = (p: string) => mappings().filter((m) => m.path === p);
// Closed readers' mappings stay listed until their views are collected (the second test).
const open = (p: string) => mine(p).filter((m) => m.readers > 0);

beforeAll(async () => {
  await build(file, records, { fsync: false });
  await build(classic, records, { format: 'classic', fsync: false });
});

describe('mappings()', () => {
  it('lists an open file with its size, address space, page-cache bytes and one reader', () => {
    const db = openSync(file, { backend: 'mmap' });
    const size = fs.statSync(file).size;
    const list = open(file);
    expect(list).toHaveLength(1);
    const m = list[0]!;
    expect(m.fileBytes).toBe(size);
    // the read-only mapping of the file plus the views mapping of its data section
    expect(m.mappedBytes).toBeGreaterThan(size);
    expect(m.mappedBytes).toBeLessThanOrEqual(2 * size);
    expect(m.readers).toBe(1);
    expect(m.views).toBeGreaterThanOrEqual(1); // the one segment made at open
    // just written: in the page cache; mincore counts whole pages, never beyond the file
    expect(m.residentBytes).toBeGreaterThan(0);
    expect(m.residentBytes).toBeLessThanOrEqual(size);
    db.close();
  });

  it('a closed reader whose view is still reachable stays listed with 0 readers, until the view is collected', async () => {
    const gc = fullGc();
    let db = openSync(classic, { backend: 'mmap' });
    let view: Buffer | undefined = db.get('key7')!;
    db.close();
    db = undefined as never;
    gc();
    const held = mine(classic);
    expect(held).toHaveLength(1);
    expect(held[0]!.readers).toBe(0);
    expect(held[0]!.views).toBeGreaterThanOrEqual(1);
    expect(view[0]).toBe(7);
    view = undefined;
    // finalizers run after the collection, on a later turn
    for (let i = 0; i < 20 && mine(classic).length > 0; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(mine(classic)).toHaveLength(0);
  });

  it('two readers of one file are two mappings; a worker thread’s readers are listed too', async () => {
    const a = openSync(file, { backend: 'mmap' });
    const b = openSync(file, { backend: 'mmap' });
    expect(open(file)).toHaveLength(2);
    a.close();
    b.close();
    const core = new URL('../../../packages/core/dist/index.js', import.meta.url).href;
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       import(workerData.core).then(({ openSync }) => {
         const db = openSync(workerData.file, { backend: 'mmap' });
         parentPort.postMessage('open');
         parentPort.once('message', () => { db.close(); parentPort.postMessage('closed'); });
       });`,
      { eval: true, workerData: { core, file } },
    );
    try {
      const next = () => new Promise((resolve) => worker.once('message', resolve));
      expect(await next()).toBe('open');
      const inWorker = open(file);
      expect(inWorker).toHaveLength(1);
      expect(inWorker[0]!.readers).toBe(1);
      worker.postMessage('close');
      expect(await next()).toBe('closed');
      expect(mine(file).every((m) => m.readers === 0)).toBe(true);
    } finally {
      await worker.terminate();
    }
  });

  it('pure-TypeScript backends map nothing', () => {
    const db = openSync(file, { backend: 'pread' });
    expect(open(file)).toHaveLength(0);
    db.close();
  });
});
