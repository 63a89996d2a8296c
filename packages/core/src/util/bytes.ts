/** Accepted key and value types: strings are stored as UTF-8. */
export type Bytes = string | Uint8Array;

export function toBytes(value: Bytes, what: string): Uint8Array {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return value;
  throw new TypeError(`${what} must be a string or a Uint8Array, got ${describe(value)}`);
}

/** Throws TypeError unless `key` is a string or a Uint8Array. */
export function checkKey(key: unknown): Bytes {
  if (typeof key !== 'string' && !(key instanceof Uint8Array)) {
    throw new TypeError(`key must be a string or a Uint8Array, got ${describe(key)}`);
  }
  return key;
}

/** Throws TypeError unless `keys` is an array of keys. */
export function checkKeys(keys: unknown): readonly Bytes[] {
  if (!Array.isArray(keys)) throw new TypeError(`keys must be an array, got ${describe(keys)}`);
  for (const k of keys) checkKey(k);
  return keys as readonly Bytes[];
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? `an object (${value.constructor?.name ?? 'Object'})` : typeof value;
}
