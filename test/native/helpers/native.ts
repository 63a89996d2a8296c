// Loads @mmcdb/native (by path: the root package does not depend on it), the TEST addon
// (build/Release/mmcdb_test.node: the production addon plus the test hooks xxh64, djb,
// sigbusTest — binding.gyp target mmcdb_test) and the reference xxh64 (xxhash-wasm, a
// devDependency of packages/native).
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type * as NativeModule from '../../../packages/native/index.js';

export const repoRoot = path.resolve(fileURLToPath(new URL('../../..', import.meta.url)));
export const nativeDir = path.join(repoRoot, 'packages', 'native');
export const nativeIndex = path.join(nativeDir, 'index.js');
/** The loader itself (CommonJS; index.js is its ES module face). */
export const nativeLoader = path.join(nativeDir, 'index.cjs');

export type { NativeHandle } from '../../../packages/native/index.js';

export const native: typeof NativeModule = await import(pathToFileURL(nativeIndex).href);

const req = createRequire(path.join(nativeDir, 'package.json'));

export const testAddonPath = path.join(nativeDir, 'build', 'Release', 'mmcdb_test.node');
export const productionAddonPath = path.join(nativeDir, 'build', 'Release', 'mmcdb.node');

/** The test addon's own exports: everything the production addon has, plus the hooks. */
export interface TestAddon {
  open: typeof NativeModule.open;
  setErrorClass(ctor: unknown): void;
  /** XXH64 of `bytes` with the seed (seedHi << 32 | seedLo), both u32. */
  xxh64(bytes: Uint8Array, seedHi: number, seedLo: number): bigint;
  /** The classic djb cdb hash (u32). */
  djb(bytes: Uint8Array): number;
  /**
   * Maps `mapLength` bytes of `path` outside the handler's registry and reads the byte at
   * readOffset (< mapLength; past the end of the file: a SIGBUS that is not ours). chain:
   * a test handler is installed first and ours re-installed over it, which must chain to
   * it. chain false: nothing before ours — the process dies of SIGBUS.
   */
  sigbusTest(
    path: string,
    mapLength: number,
    readOffset: number,
    chain: boolean,
  ): {
    value: number;
    previousCalls: number;
    previousAddressOk: boolean;
  };
}

export const testAddon = req(testAddonPath) as TestAddon;

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
