import { configDefaults, defineConfig } from 'vitest/config';

// `pnpm test`: the default suite (minutes). `pnpm test:long`: the random-kill crash
// tests and other long runs (*.long.test.ts), run in CI as their own step.
const long = process.env['MMCDB_TEST_LONG'] === '1';

export default defineConfig({
  test: {
    include: long ? ['test/**/*.long.test.ts'] : ['test/**/*.test.ts'],
    exclude: long ? [...configDefaults.exclude] : [...configDefaults.exclude, 'test/**/*.long.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Lifetime tests call gc() to prove views outlive close() safely.
    execArgv: ['--expose-gc'],
  },
});
