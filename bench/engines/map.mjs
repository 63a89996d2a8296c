// A plain JS Map of Buffers: the in-memory ceiling. "Open" = load the cdbmake file into the Map.
import { readCdbmake } from '../lib/cdbmake.mjs';

export const store = 'map';

function load(src) {
  const m = new Map();
  for (const [k, v] of readCdbmake(src, { reuse: true })) {
    // Buffer.from copies: the parser may reuse its buffer
    const key = k.latin1Slice();
    if (!m.has(key)) m.set(key, Buffer.from(v));
  }
  return m;
}

export async function build(src) {
  const m = load(src);
  return { records: m.size };
}

export function open(_file, _variant, src) {
  const m = load(src);
  return {
    get: (k) => m.get(k),
    scan(touch) {
      for (const v of m.values()) touch(v);
    },
    close() {},
  };
}
