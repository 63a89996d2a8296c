// Small async helpers for the HTTP source: a counting semaphore (bounded parallel
// requests), a sleep that an AbortSignal cuts short, and one signal from several.

export class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(permits: number) {
    this.#free = permits;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next !== undefined) next();
      else this.#free++;
    }
  }
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A controller that aborts when any of `signals` does (AbortSignal.any is missing before
 * Node 20.3 and in older browsers). `release()` detaches it from the inputs.
 */
export function linkedController(signals: readonly (AbortSignal | undefined)[]): {
  controller: AbortController;
  release(): void;
} {
  const controller = new AbortController();
  const undo: Array<() => void> = [];
  for (const s of signals) {
    if (s === undefined) continue;
    if (s.aborted) {
      controller.abort(s.reason);
      break;
    }
    const onAbort = (): void => controller.abort(s.reason);
    s.addEventListener('abort', onAbort, { once: true });
    undo.push(() => s.removeEventListener('abort', onAbort));
  }
  return {
    controller,
    release: () => {
      for (const f of undo) f();
    },
  };
}

/**
 * One listener on the reader's long-lived signals (close(), options.signal) for all its
 * requests: each request registers a controller here instead of adding a listener of its
 * own, so sixteen requests in flight do not trip the EventTarget listener-leak warning.
 */
export class AbortFanout {
  readonly #targets = new Set<AbortController>();
  #stopped: { reason: unknown } | undefined;

  constructor(signals: readonly (AbortSignal | undefined)[]) {
    for (const s of signals) {
      if (s === undefined) continue;
      if (s.aborted) this.#stop(s.reason);
      else s.addEventListener('abort', () => this.#stop(s.reason), { once: true });
    }
  }

  /** A controller aborted by these signals or by `extra` (a per-call signal); release() detaches it. */
  controller(extra: AbortSignal | undefined): { controller: AbortController; release(): void } {
    const linked = linkedController([extra]);
    if (this.#stopped !== undefined) linked.controller.abort(this.#stopped.reason);
    else this.#targets.add(linked.controller);
    return {
      controller: linked.controller,
      release: () => {
        this.#targets.delete(linked.controller);
        linked.release();
      },
    };
  }

  #stop(reason: unknown): void {
    if (this.#stopped !== undefined) return;
    this.#stopped = { reason };
    for (const c of this.#targets) c.abort(reason);
    this.#targets.clear();
  }
}
