// The one module that owns the native binding (@mmcdb/native). It is loaded once, at
// import time; when it cannot load, the reason is kept for Reader.fallbackReason.
import type { Engine } from './engine.js';

type NativeLoad = { ok: true; open(path: string): Engine } | { ok: false; reason: string };

let state: NativeLoad = { ok: false, reason: 'the native addon is not built yet' };

export function loadNative(): NativeLoad {
  return state;
}

/** Test hook: pretend the addon failed to load. */
export function disableNativeForTesting(reason: string): () => void {
  const saved = state;
  state = { ok: false, reason };
  return () => {
    state = saved;
  };
}
