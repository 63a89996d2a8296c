// createShardedWriter(): a Writer whose records end up in the N shard files of a new
// version of a set (docs/SHARDS.md §Building, §Versions). Records are routed on the
// calling thread (router.ts) and built on worker threads (pool.ts, worker.ts); finish()
// writes manifest.json (the version is complete) and then CURRENT (it is live). Any
// failure before CURRENT is replaced leaves the previous version live.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Bytes } from '../../util/bytes.js';
import { CdbError } from '../../util/errors.js';
import { testHooks } from '../../util/test-hooks.js';
import { abortError } from '../../build/session.js';
import { crashPoint } from '../../build/crash-point.js';
import type { CdbmakeProgress } from '../../build/writer.js';
import { shardFileName, versionDirName, type SetManifest } from './manifest.js';
import { ShardPool } from './pool.js';
import type { ShardResult } from './protocol.js';
import { ShardRouter } from './router.js';
import { Spool } from './spool.js';
import {
  resolveShardedOptions,
  type ResolvedShardedOptions,
  type SetBuildResult,
  type ShardedWriterOptions,
} from './sharded-options.js';
import { takeLease, writeCurrent, writeManifest, type Lease } from './versions.js';

export type { SetBuildResult, ShardedWriterOptions } from './sharded-options.js';

export class ShardedWriter {
  readonly #c: ResolvedShardedOptions;
  readonly #o: ResolvedShardedOptions['o'];
  readonly #root: string;
  readonly #dir: string;
  readonly #started = performance.now();
  readonly #lease: Lease | undefined;
  #spool: Spool | undefined;
  #router: ShardRouter | undefined;
  #pool: ShardPool | undefined;
  #state: 'open' | 'finishing' | 'done' | 'failed' = 'open';
  #aborting: Promise<void> | undefined;

  constructor(dir: string, options: ShardedWriterOptions) {
    if (typeof dir !== 'string' || dir === '') throw new TypeError('dir must be a non-empty string');
    this.#c = resolveShardedOptions(options);
    this.#o = this.#c.o;
    if (this.#o.signal?.aborted) throw abortError(this.#o.signal.reason);
    this.#root = path.resolve(dir);
    try {
      fs.mkdirSync(this.#root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    this.#dir = path.join(this.#root, versionDirName(this.#c.set));
    try {
      fs.mkdirSync(this.#dir);
    } catch (err) {
      // Batch tasks of one version share its folder; a whole build never reuses one.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !this.#c.independent) throw err;
    }
    this.#lease = takeLease(this.#dir, 'builder');
    this.#o.signal?.addEventListener('abort', this.#onAbort, { once: true });
    try {
      if (this.#c.count > this.#c.wave) this.#spool = new Spool(this.#dir);
      else this.#startWave(this.#c.first, this.#c.count);
    } catch (err) {
      void this.#abort(err);
      throw err;
    }
  }

  readonly #onAbort = (): void => void this.abort(this.#o.signal?.reason);

  /** Records added so far (all of them, also those routed to shards this build skips). */
  get count(): number {
    return this.#spool?.records ?? this.#router?.seen ?? 0;
  }

  get set(): string {
    return this.#c.set;
  }

  /** The version folder the shard files go to. */
  get dir(): string {
    return this.#dir;
  }

  add(key: Bytes, value: Bytes): boolean {
    this.#checkOpen();
    return this.#step(() => (this.#spool ?? this.#router!).add(key, value));
  }

  addCdbmake(bytes: Uint8Array): CdbmakeProgress {
    this.#checkOpen();
    if (!(bytes instanceof Uint8Array)) throw new TypeError('addCdbmake() takes a Uint8Array (or Buffer) of cdbmake text');
    return this.#step(() => (this.#spool ?? this.#router!).addCdbmake(bytes));
  }

  /** Resolves when the workers can take more (await it now and then: add() blocks when they fall behind). */
  async ready(): Promise<void> {
    this.#checkOpen();
    try {
      await this.#router?.ready();
    } catch (err) {
      await this.#abort(err);
      throw err;
    }
  }

  /** Builds the shards' indexes, writes manifest.json, then replaces CURRENT. */
  async finish(): Promise<SetBuildResult> {
    this.#checkOpen();
    this.#state = 'finishing';
    try {
      const results: ShardResult[] = [];
      if (this.#spool !== undefined) {
        this.#spool.close();
        const { first: from, count, wave } = this.#c;
        for (let first = from; first < from + count; first += wave) {
          this.#startWave(first, Math.min(wave, from + count - first));
          await this.#spool.replay(this.#router!);
          results.push(...(await this.#endWave()));
        }
        this.#spool.remove();
      } else {
        results.push(...(await this.#endWave()));
      }
      return this.#publishVersion(results);
    } catch (err) {
      this.#state = 'open';
      await this.#abort(err);
      throw err;
    }
  }

  #publishVersion(results: ShardResult[]): SetBuildResult {
    crashPoint('set-after-shards');
    const { n, seed, set } = this.#c;
    const files = results.map((r) => ({ ...r, file: shardFileName(r.shard, n, this.#o.format) }));
    const records = files.reduce((a, f) => a + f.records, 0);
    const bytes = files.reduce((a, f) => a + f.bytes, 0);
    let manifest: SetManifest | undefined;
    if (!this.#c.independent) {
      manifest = {
        set,
        seed,
        shards: n,
        format: this.#o.format,
        files: files.map(({ file, records, bytes, checksum }) => ({ file, records, bytes, checksum })),
        records,
        bytes,
        metadata: this.#c.metadata,
        createdAt: new Date().toISOString(),
      };
      writeManifest(this.#dir, manifest, this.#o.fsync);
      crashPoint('set-after-manifest');
      if (this.#c.publish) {
        writeCurrent(this.#root, versionDirName(set), this.#o.fsync);
        crashPoint('set-after-current');
      }
    }
    this.#state = 'done';
    this.#lease?.release();
    this.#o.signal?.removeEventListener('abort', this.#onAbort);
    const seconds = (performance.now() - this.#started) / 1000;
    return { root: this.#root, dir: this.#dir, set, shards: n, partitionSeed: seed, files, records, bytes, manifest, seconds };
  }

  /**
   * Discards the build: workers stop, temp files go, a new version's folder is removed;
   * the promise settles when all of that is done. Idempotent.
   */
  abort(reason?: unknown): Promise<void> {
    return this.#abort(reason);
  }

  #abort(reason: unknown): Promise<void> {
    if (this.#aborting !== undefined) return this.#aborting;
    if (this.#state !== 'open') return Promise.resolve();
    this.#state = 'failed';
    this.#o.signal?.removeEventListener('abort', this.#onAbort);
    const pool = this.#pool;
    this.#pool = undefined;
    this.#aborting = (async () => {
      try {
        await pool?.abort(reason);
      } finally {
        this.#spool?.remove();
        if (!this.#c.independent) fs.rmSync(this.#dir, { recursive: true, force: true });
        this.#lease?.release();
      }
    })();
    return this.#aborting;
  }

  #startWave(first: number, count: number): void {
    let pool: ShardPool | undefined;
    const sink = {
      get consumers() {
        return pool!.consumers;
      },
      batch: (...a: Parameters<ShardPool['batch']>) => pool!.batch(...a),
      big: (...a: Parameters<ShardPool['big']>) => pool!.big(...a),
      failure: () => pool?.failure(),
    };
    // Records encoded on this thread (the writers only append) unless a writer must decide per record.
    const encode =
      this.#o.format === 'mmcdb' && this.#o.duplicates === 'all' && testHooks.keyHash === undefined
        ? { fileSeed: this.#c.writer.seed!, align: this.#o.valueAlign }
        : undefined;
    const { seed, n: shards, set } = this.#c;
    this.#router = new ShardRouter({ seed, shards, first, count, encode }, sink);
    pool = new ShardPool({
      dir: this.#dir,
      set,
      seed,
      shards,
      first,
      count,
      workers: this.#c.workers,
      writer: this.#c.writer,
      ctrl: this.#router.ctrl,
      onWarning: this.#o.onWarning,
    });
    this.#pool = pool;
  }

  async #endWave(): Promise<ShardResult[]> {
    this.#router!.flush();
    const results = await this.#pool!.finish();
    this.#pool = undefined;
    return results;
  }

  #step<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof TypeError) && !(err instanceof RangeError)) void this.#abort(err);
      throw err;
    }
  }

  #checkOpen(): void {
    if (this.#state === 'open') return;
    if (this.#o.signal?.aborted) throw abortError(this.#o.signal.reason);
    throw new CdbError('ERR_CDB_CLOSED', `sharded writer is already ${this.#state === 'failed' ? 'aborted' : 'finished'}`, {
      path: this.#dir,
    });
  }
}
