// The build progress bar: stderr only, only on a TTY, and only once a build has run for
// a moment (short builds print just the summary line).
import cliProgress from 'cli-progress';

const DELAY_MS = 750;

export class Progress {
  readonly #enabled: boolean;
  readonly #total: number | undefined;
  readonly #started = Date.now();
  #bar: cliProgress.SingleBar | undefined;
  readonly #stream: NodeJS.WritableStream;

  /** `total`: input bytes when known (files), else the bar counts records only. */
  constructor(total: number | undefined, enabled: boolean, stream: NodeJS.WritableStream) {
    this.#enabled = enabled;
    this.#stream = stream;
    this.#total = total !== undefined && total > 0 ? total : undefined;
  }

  update(bytes: number, records: number): void {
    if (!this.#enabled) return;
    if (this.#bar === undefined) {
      if (Date.now() - this.#started < DELAY_MS) return;
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
    const payload = { records, mib: (bytes / 1048576).toFixed(1) };
    this.#bar.update(this.#total !== undefined ? Math.min(bytes, this.#total) : 0, payload);
  }

  stop(): void {
    this.#bar?.stop();
    this.#bar = undefined;
  }
}
