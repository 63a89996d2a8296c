import { configDefaults, defineConfig } from 'vitest/config';

// `pnpm test`: the default suite (minutes). `pnpm test:long`: the random-kill crash
// tests and other long runs (*.long.test.ts), run in CI as their own step.
const long = process.env['MMCDB_TEST_LONG'] === '1';
const include = long ? ['test/**/*.long.test.ts'] : ['test/**/*.test.ts'];
const exclude = long ? [...configDefaults.exclude] : [...configDefaults.exclude, 'test/**/*.long.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Lifetime tests call gc() to prove views outlive close() safely.
    execArgv: ['--expose-gc'],
    projects: [
      // Everything, with the native flavour the loader picks by default (the V8-API one
      // where it is built for this Node ABI: packages/native/index.cjs).
      { extends: true, test: { name: 'default', include, exclude } },
      // The native and conformance tests again on the Node-API addon, so both flavours
      // pass them wherever both are built (CI: MMCDB_REQUIRE_V8_FAST=1).
      {
        extends: true,
        test: {
          name: 'napi',
          include: long ? ['test/native/**/*.long.test.ts'] : ['test/native/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          exclude,
          env: { MMCDB_NATIVE_FLAVOR: 'napi' },
        },
      },
    ],
  },
});
