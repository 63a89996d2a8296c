// Loads @mmcdb/native (by path: the root package does not depend on it) and the
// reference xxh64 (xxhash-wasm, a devDependency of packages/native).
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as NativeModule from '../../../packages/native/index.js';

export const repoRoot = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const nativeDir = path.join(repoRoot, 'packages', 'native');
export const nativeIndex = path.join(nativeDir, 'index.js');

export type { NativeHandle } from '../../../packages/native/index.js';

export const native: typeof NativeModule = await import(pathToFileURL(nativeIndex).href);

const req = createRequire(path.join(nativeDir, 'package.json'));

export interface RefHasher {
  h64Raw(input: Uint8Array, seed?: bigint): bigint;
}

/** xxhash-wasm's XXH64: the independent reference for hashes. */
export async function refHasher(): Promise<RefHasher> {
  const mod = (await import(pathToFileURL(req.resolve('xxhash-wasm')).href)) as { default: () => Promise<RefHasher> };
  return mod.default();
}

/** Bytes of a string key/value as UTF-8. */
export function bytesOf(x: string | Uint8Array): Uint8Array {
  return typeof x === 'string' ? Buffer.from(x, 'utf8') : x;
}

/** Catches and returns an error (fails when nothing is thrown). */
export function thrown(fn: () => unknown): Error & { code?: string; offset?: number } {
  try {
    fn();
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected an exception');
}
