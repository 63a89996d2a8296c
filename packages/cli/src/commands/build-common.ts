// What `cdb build`'s two modes (records, --assets) share: the parsed options and the name check.
import type { DuplicatePolicy } from '@mmcdb/core';
import type { Encoding } from '@mmcdb/core/assets';
import type { Context } from '../context.js';
import { buildNameWarning } from '../file-names.js';
import type { InputFormat } from '../input/index.js';

export interface BuildOptions {
  inputFormat?: InputFormat;
  keyColumn?: string;
  valueColumn?: string;
  header: boolean;
  comment?: string;
  relaxColumnCount?: boolean;
  duplicates: DuplicatePolicy;
  seed?: bigint | 'random';
  align?: number;
  metadata?: string;
  format: 'mmcdb' | 'classic';
  /** --format was given (not its default). */
  formatGiven?: boolean;
  quiet?: boolean;
  progress: boolean;
  chunkSize?: number;
  progressDelay?: number;
  assets?: boolean;
  includeDotfiles?: boolean;
  precompress?: Encoding[];
}

/** Said once the build succeeded (a failure stays one line), -q or not. */
export function warnName(out: string, format: 'mmcdb' | 'classic', opts: BuildOptions, ctx: Context): void {
  const warning = buildNameWarning(out, format, opts.formatGiven === true);
  if (warning !== undefined) ctx.io.stderr.write(`cdb build: warning: ${warning}\n`);
}

/** The CSV/TSV parser's options out of the command's. */
export function csvOptionsOf(opts: BuildOptions) {
  return {
    keyColumn: opts.keyColumn,
    valueColumn: opts.valueColumn,
    header: opts.header,
    comment: opts.comment,
    relaxColumnCount: opts.relaxColumnCount,
  };
}
