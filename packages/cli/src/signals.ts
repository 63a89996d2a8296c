// What a build does when it is interrupted: every catchable signal that ends a terminal
// session or a job (SIGINT: Ctrl-C, SIGTERM: kill, SIGHUP: the terminal went away)
// aborts the build — its temp file removed, the target left as it was — and exits with
// 128 + the signal number, as shells expect.
const SIGNALS = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 } as const;

/** Runs `abort(signal)` on the first such signal, then exits; returns a function that stops listening. */
export function onInterrupt(abort: (signal: NodeJS.Signals) => void): () => void {
  const handler = (signal: NodeJS.Signals): void => {
    dispose();
    abort(signal);
    process.exit(SIGNALS[signal as keyof typeof SIGNALS] ?? 1);
  };
  const dispose = (): void => {
    for (const s of Object.keys(SIGNALS)) process.off(s, handler);
  };
  for (const s of Object.keys(SIGNALS)) process.on(s, handler);
  return dispose;
}
