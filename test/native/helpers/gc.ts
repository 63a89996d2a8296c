import * as v8 from 'node:v8';
import * as vm from 'node:vm';

/**
 * A full GC: global.gc when the process runs with --expose-gc, else the same
 * function obtained through v8.setFlagsFromString (works without the flag).
 */
export function fullGc(): () => void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) return g;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}
