// Keys of remote lookups: strings are their UTF-8 bytes (TextEncoder: no Buffer in the
// browser entry), Uint8Arrays are used as they are.
export type RemoteKey = string | Uint8Array;

const encoder = new TextEncoder();

export function keyBytes(key: unknown): Uint8Array {
  if (typeof key === 'string') return encoder.encode(key);
  if (key instanceof Uint8Array) return key;
  throw new TypeError(`key must be a string or a Uint8Array, got ${describe(key)}`);
}

export function checkKeyList(keys: unknown): readonly RemoteKey[] {
  if (!Array.isArray(keys)) throw new TypeError(`keys must be an array, got ${describe(keys)}`);
  for (const k of keys) keyBytes(k);
  return keys as readonly RemoteKey[];
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object (${(value as object).constructor?.name ?? 'Object'})` : typeof value;
}
