/** The reference model for round-trip tests: a Map of key (hex) → values in insertion order. */
export type Rec = [Uint8Array, Uint8Array];

export function modelOf(records: readonly Rec[], duplicates: 'all' | 'first' | 'last' = 'all'): Map<string, Buffer[]> {
  const m = new Map<string, Buffer[]>();
  for (const [k, v] of records) {
    const key = Buffer.from(k).toString('hex');
    const list = m.get(key);
    if (list === undefined) m.set(key, [Buffer.from(v)]);
    else if (duplicates === 'all') list.push(Buffer.from(v));
    else if (duplicates === 'last') list[0] = Buffer.from(v);
  }
  return m;
}

/**
 * Byte-list equality with a readable failure. (vitest's deep equality walks a Buffer
 * element by element: ~40 s for a few MiB, so compare with Buffer.equals instead.)
 */
export function sameBytes(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): string {
  if (actual.length !== expected.length) return `${actual.length} values, expected ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    if (!Buffer.from(actual[i]!).equals(Buffer.from(expected[i]!))) return `value ${i} differs`;
  }
  return 'same';
}
