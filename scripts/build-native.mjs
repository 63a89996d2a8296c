#!/usr/bin/env node
// Builds (or incrementally rebuilds) the native addon in packages/native, so that edited
// C++ is never tested stale: `pnpm build` runs this before tsc.
//
// Node headers: node-gyp downloads them unless told where they are, which fails on
// machines without internet access. When npm_config_nodedir is not set, this uses the
// headers of the running Node itself (<prefix>/include/node, shipped by every Node
// installation: distro packages, nvm, the official tarballs), so it works offline and
// under nvm alike. Set npm_config_nodedir to override.
//
// The V8-API flavour (binding.gyp mmcdb_v8_abi<ABI>) needs v8-fast-api-calls.h of the
// exact V8 in use: packages/native/scripts/v8-fast-header.mjs fetches and checks it first
// (cached in packages/native/.cache). Without it only the Node-API addon is built, unless
// MMCDB_REQUIRE_V8_FAST=1 (CI), which makes a missing V8-API flavour an error.
//
// A failed build is reported and, unless MMCDB_REQUIRE_NATIVE=1, tolerated: @mmcdb/core
// then serves through its pure-TypeScript reader (CI sets MMCDB_REQUIRE_NATIVE=1).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = path.join(root, 'packages', 'native');
const gyp = path.join(pkg, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const required = process.env.MMCDB_REQUIRE_NATIVE === '1';

export function localNodedir() {
  const prefix = path.dirname(path.dirname(process.execPath));
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

function fail(message) {
  console.error(`build-native: ${message}`);
  if (required) process.exit(1);
  console.error(
    'build-native: continuing without the addon (the pure-TypeScript reader serves); MMCDB_REQUIRE_NATIVE=1 makes this an error',
  );
  process.exit(0);
}

if (!fs.existsSync(gyp)) fail(`node-gyp is not installed in ${pkg} (run pnpm install)`);
const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const dir = localNodedir();
  if (dir !== undefined) env.npm_config_nodedir = dir;
}
const requireV8 = process.env.MMCDB_REQUIRE_V8_FAST === '1';
const header = spawnSync(process.execPath, [path.join(pkg, 'scripts', 'v8-fast-header.mjs')], {
  cwd: pkg,
  env,
  stdio: ['ignore', 'inherit', 'inherit'],
});
if (header.status !== 0 && requireV8) fail('MMCDB_REQUIRE_V8_FAST=1 but v8-fast-api-calls.h could not be had');
const v8Include = spawnSync(process.execPath, [path.join(pkg, 'scripts', 'v8-fast-header.mjs'), '--include-dir'], {
  cwd: pkg,
  env,
  encoding: 'utf8',
}).stdout;
// Configured, and not since binding.gyp changed (a new source file needs a new Makefile).
const makefile = path.join(pkg, 'build', 'Makefile');
// Reconfigured too when the V8-API target should exist but the last configure had no
// header for it (its Makefile fragment is missing), or the other way round.
const v8Target =
  fs.existsSync(path.join(pkg, 'build')) &&
  fs.readdirSync(path.join(pkg, 'build')).some((f) => /^mmcdb_v8_abi\d+\.target\.mk$/.test(f));
const configured =
  fs.existsSync(makefile) &&
  fs.statSync(makefile).mtimeMs >= fs.statSync(path.join(pkg, 'binding.gyp')).mtimeMs &&
  v8Target === (v8Include !== '');
const args = configured ? ['build'] : ['rebuild'];
const t0 = Date.now();
const r = spawnSync(
  process.execPath,
  [gyp, ...args, '--loglevel=warn', `--jobs=${Math.max(1, (await import('node:os')).availableParallelism())}`],
  {
    cwd: pkg,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
  },
);
if (r.status !== 0) fail(`node-gyp ${args[0]} failed (exit ${r.status}):\n${r.stdout}${r.stderr}`);
const abi = process.versions.modules;
const v8Addon = path.join(pkg, 'build', 'Release', `mmcdb_v8_abi${abi}.node`);
if (requireV8 && !fs.existsSync(v8Addon)) fail(`MMCDB_REQUIRE_V8_FAST=1 but ${v8Addon} was not built`);
console.error(
  `build-native: addon ${configured ? 'rebuilt where sources changed' : 'built'} (node-gyp ${args[0]}, ${((Date.now() - t0) / 1000).toFixed(1)} s)`,
);
