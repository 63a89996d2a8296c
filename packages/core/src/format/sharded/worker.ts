// A set build's worker thread (docs/SHARDS.md §Building): it owns shards [from, to) of
// the wave, one writer each, and feeds each shard's region of every buffer the router
// sends to that shard's writer (Writer.addCdbmake: native parsing, copying, hashing).
// It releases a buffer by decrementing its counter in `ctrl` — whatever happens — and
// on any error tells the main thread and aborts its writers (temp files removed).
import * as path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { hashReady } from '../../util/hash.js';
import type { Writer } from '../../build/writer.js';
import { createWriter } from '../writers.js';
import type { MmcdbWriter } from '../mmcdb/writer.js';
import { entryViews } from './regions.js';
import type { WriterOptions } from '../writer-options.js';
import { shardFileName, shardMetadata, type ShardFormat } from './manifest.js';
import { FAILED, MAX_BUFFERS } from './router.js';
import { shardFacts } from './shard-files.js';
import type { ShardResult, ToWorker, WorkerData } from './protocol.js';
import { serializeError } from './protocol.js';

const data = workerData as WorkerData;
const port = parentPort!;
const ctrl = data.ctrl;
const writers = new Map<number, Writer>();
let failed = false;

function fail(err: unknown): void {
  if (failed) return;
  failed = true;
  for (const w of writers.values()) w.abort(err);
  Atomics.store(ctrl, FAILED, 1);
  for (let i = 0; i <= MAX_BUFFERS; i++) Atomics.notify(ctrl, i);
  port.postMessage({ type: 'error', error: serializeError(err) });
}

function shardPath(s: number): string {
  return path.join(data.dir, shardFileName(s, data.shards, data.writer.format as ShardFormat));
}

function start(): void {
  const options: WriterOptions = {
    ...data.writer,
    onWarning: (message) => port.postMessage({ type: 'warning', message }),
  };
  for (let s = data.from; s < data.to; s++) {
    const metadata =
      data.writer.format === 'classic'
        ? undefined
        : shardMetadata({ set: data.set, shard: s, shards: data.shards, seed: data.seed });
    writers.set(s, createWriter(shardPath(s), { ...options, ...(metadata !== undefined && { metadata }) }));
  }
}

function batch(m: Extract<ToWorker, { type: 'batch' }>): void {
  try {
    if (failed) return;
    for (let s = data.from; s < data.to; s++) {
      const r = s - data.first;
      const used = m.used[r]!;
      if (used === 0) continue;
      const bytes = new Uint8Array(m.sab, r * m.layout.region, used);
      const w = writers.get(s)!;
      if (m.layout.mode === 'encode') {
        const n = m.records[r]!;
        const { positions, hashes } = entryViews(m.sab, m.layout, r, n);
        (w as MmcdbWriter).addEncoded(bytes, positions, hashes, n);
        continue;
      }
      const took = w.addCdbmake(bytes);
      if (took.consumed !== used) throw new Error(`shard ${s}: the writer took ${took.consumed} of ${used} routed bytes`);
    }
  } catch (err) {
    fail(err);
  } finally {
    Atomics.sub(ctrl, m.index, 1);
    Atomics.notify(ctrl, m.index);
  }
}

async function finish(): Promise<void> {
  const results: ShardResult[] = [];
  for (const [s, w] of writers) {
    const r = await w.finish();
    const facts = shardFacts(r.path);
    results.push({ shard: s, records: r.records, bytes: r.bytes, checksum: facts.checksum });
  }
  port.postMessage({ type: 'finished', results });
}

await hashReady;
try {
  start();
  port.postMessage({ type: 'ready' });
} catch (err) {
  fail(err);
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'batch') batch(m);
  else if (m.type === 'big') {
    try {
      if (!failed) writers.get(m.shard)!.add(m.key, m.value);
    } catch (err) {
      fail(err);
    }
  } else if (m.type === 'finish') {
    if (failed) return;
    finish().catch(fail);
  } else if (m.type === 'abort') {
    for (const w of writers.values()) w.abort(m.reason);
    port.postMessage({ type: 'aborted' });
  }
});
