// cdb build --assets <out> <folder>: packs a folder for createAssetHandler / cdb serve.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidArgumentError } from 'commander';
import { buildAssets, type Encoding } from '@mmcdb/core/assets';
import { CliError, EXIT_USAGE, describeSystemError, systemError } from '../errors.js';
import { tabularOptionsGiven } from '../input/index.js';
import { buildProgress } from '../progress.js';
import { onInterrupt } from '../signals.js';
import { count } from '../words.js';
import type { Context } from '../context.js';
import { warnName, type BuildOptions } from './build-common.js';

const ENCODINGS: readonly Encoding[] = ['br', 'gzip'];

/** `--precompress br,gzip`: a comma-separated list of encodings ("none" or "" for none). */
export function parsePrecompress(value: string): Encoding[] {
  const list =
    value === 'none'
      ? []
      : value
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
  const out: Encoding[] = [];
  for (const v of list) {
    if (!ENCODINGS.includes(v as Encoding))
      throw new InvalidArgumentError(`expected a comma-separated list of ${ENCODINGS.join(', ')} (or none), got "${v}"`);
    if (!out.includes(v as Encoding)) out.push(v as Encoding);
  }
  return out;
}

/** `cdb build --assets <out> <folder>`: core's buildAssets() (docs/ASSETS.md). */
export async function runAssets(out: string, inputs: string[], opts: BuildOptions, ctx: Context): Promise<number> {
  const started = performance.now();
  const refused = [
    ['--input-format', opts.inputFormat !== undefined],
    ...tabularOptionsGiven(opts).map((name) => [name, true] as const),
    ['--duplicates', opts.duplicates !== 'all'],
    ['--seed', opts.seed !== undefined],
    ['--align', opts.align !== undefined],
    ['--metadata', opts.metadata !== undefined],
    ['--format classic', opts.format !== 'mmcdb'],
  ]
    .filter(([, given]) => given)
    .map(([name]) => name);
  if (refused.length > 0) throw new CliError(`--assets cannot be combined with ${refused.join(', ')}`, EXIT_USAGE);
  if (inputs.length !== 1 || inputs[0] === '-') {
    throw new CliError(
      `--assets needs exactly one folder: cdb build --assets <out> <folder> (got ${inputs.length === 0 ? 'none' : inputs.join(' ')})`,
      EXIT_USAGE,
    );
  }
  const folder = inputs[0]!;
  let st: fs.Stats;
  try {
    st = fs.statSync(folder);
  } catch (err) {
    throw systemError(err, folder, 'read');
  }
  if (!st.isDirectory()) throw new CliError(`${folder}: not a folder (--assets packs the files under a folder)`);

  const progress = buildProgress(undefined, opts, ctx);
  let files = 0;
  let bytesRead = 0;
  let result: Awaited<ReturnType<typeof buildAssets>>;
  const controller = new AbortController();
  const stopListening = onInterrupt((signal) => {
    controller.abort(new Error(signal));
    ctx.io.stderr.write(`cdb build: interrupted (${signal}); ${out} was not changed\n`);
  });
  try {
    result = await buildAssets(folder, out, {
      ...(opts.precompress !== undefined && { precompress: opts.precompress }),
      ...(opts.includeDotfiles === true && { includeDotfiles: true }),
      signal: controller.signal,
      onWarning: (m) => ctx.io.stderr.write(`cdb build: warning: ${m}\n`),
      onFile: (_urlPath, bytes) => {
        files++;
        bytesRead += bytes;
        progress.update(bytesRead, files);
      },
    });
  } catch (err) {
    throw assetsError(err, folder, out);
  } finally {
    stopListening();
    progress.stop();
  }
  warnName(out, 'mmcdb', opts, ctx);
  if (opts.quiet !== true) {
    const seconds = (performance.now() - started) / 1000;
    const variants =
      opts.precompress !== undefined && opts.precompress.length > 0 ? `, precompressed ${opts.precompress.join(',')}` : '';
    ctx.io.stderr.write(
      `cdb build: wrote ${out}: ${count(files, 'file')} (${count(result.records, 'record')}), ${count(result.bytes, 'byte')}, ${seconds.toFixed(2)} s (assets${variants})\n`,
    );
  }
  return 0;
}

/** A system error from buildAssets: reading something under the folder, or writing the target. */
function assetsError(err: unknown, folder: string, out: string): unknown {
  if (describeSystemError(err) === undefined) return err;
  const where = (err as NodeJS.ErrnoException).path;
  if (typeof where === 'string') {
    const rel = path.relative(path.resolve(folder), path.resolve(where));
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return systemError(err, where, 'read');
  }
  return systemError(err, out, 'create');
}
