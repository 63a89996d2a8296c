// The build progress bar: stderr only, only on a terminal (terminal.ts), and only once a
// build has run for a moment (short builds print just the summary line). Under NO_COLOR
// or TERM=dumb it is one line of plain text redrawn with carriage returns: cli-progress
// itself reads neither, and always hides the cursor and clears lines with escape sequences.
import cliProgress from 'cli-progress';
import { progressMode, type ProgressMode } from './terminal.js';
import type { Context } from './context.js';

export const DELAY_MS = 750;
const PLAIN_INTERVAL_MS = 200;

export class Progress {
  readonly #mode: ProgressMode;
  readonly #total: number | undefined;
  readonly #delay: number;
  readonly #started = Date.now();
  #bar: cliProgress.SingleBar | undefined;
  readonly #stream: NodeJS.WritableStream;
  #plainWidth = -1; // -1: nothing drawn yet
  #plainAt = 0;

  /** `total`: input bytes when known (files), else the bar counts records only. */
  constructor(total: number | undefined, mode: ProgressMode, stream: NodeJS.WritableStream, delayMs = DELAY_MS) {
    this.#mode = mode;
    this.#stream = stream;
    this.#delay = delayMs;
    this.#total = total !== undefined && total > 0 ? total : undefined;
  }

  update(bytes: number, records: number): void {
    if (this.#mode === 'off' || Date.now() - this.#started < this.#delay) return;
    const mib = (bytes / 1048576).toFixed(1);
    if (this.#mode === 'plain') {
      this.#plain(bytes, records, mib);
      return;
    }
    if (this.#bar === undefined) {
      const known = this.#total !== undefined;
      this.#bar = new cliProgress.SingleBar(
        {
          stream: this.#stream,
          format: known
            ? 'building {bar} {percentage}% | {records} records | {mib} MiB | eta {eta_formatted}'
            : 'building | {records} records | {mib} MiB read',
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 50,
          fps: 5,
        },
        cliProgress.Presets.shades_classic,
      );
      this.#bar.start(this.#total ?? 1, 0, { records: 0, mib: '0.0' });
    }
    this.#bar.update(this.#total !== undefined ? Math.min(bytes, this.#total) : 0, { records, mib });
  }

  /** One line, no escape sequence: `\r`, the text, spaces over what the last one left. */
  #plain(bytes: number, records: number, mib: string): void {
    const now = Date.now();
    if (this.#plainWidth >= 0 && now - this.#plainAt < PLAIN_INTERVAL_MS) return;
    this.#plainAt = now;
    const pct = this.#total !== undefined ? ` ${Math.floor((Math.min(bytes, this.#total) * 100) / this.#total)}% |` : ' |';
    const text = `building${pct} ${records} records | ${mib} MiB read`;
    this.#stream.write(`\r${text}${' '.repeat(Math.max(0, this.#plainWidth - text.length))}`);
    this.#plainWidth = text.length;
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
    if (this.#plainWidth >= 0) this.#stream.write(`\r${' '.repeat(this.#plainWidth)}\r`);
    this.#plainWidth = -1;
  }
}

/** The progress of a build: on stderr when it is a terminal, unless -q or --no-progress. */
export function buildProgress(
  total: number | undefined,
  opts: { progress: boolean; quiet?: boolean; progressDelay?: number },
  ctx: Context,
): Progress {
  const mode = progressMode(ctx.io.stderr, ctx.io.env, opts.progress && opts.quiet !== true);
  return new Progress(total, mode, ctx.io.stderr, opts.progressDelay);
}
