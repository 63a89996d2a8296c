'use strict';
// npm install script of @mmcdb/native: use the prebuild when one loads here; otherwise
// compile with node-gyp — against the running Node's own headers (<prefix>/include/node,
// shipped by every Node installation: distro packages, nvm, official tarballs) when
// npm_config_nodedir is not set, so no header download is needed (offline machines, CI).
// When nothing works the install still succeeds: @mmcdb/core then serves through its
// pure-TypeScript reader, and reader.fallbackReason says why.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const env = { ...process.env };
if (!env.npm_config_nodedir) {
  const prefix = path.dirname(path.dirname(process.execPath));
  if (fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
}
// A prebuild that loads here is all there is to do. Otherwise, before node-gyp builds:
// the V8-API flavour's header (scripts/v8-fast-header.mjs fetches and checks it, or
// reports why not); binding.gyp builds that flavour only when it is there. Best effort:
// the Node-API addon is built either way.
let prebuilt = false;
try {
  require('node-gyp-build')(__dirname);
  prebuilt = true;
} catch {}
if (!prebuilt) {
  try {
    spawnSync(process.execPath, [path.join(__dirname, 'scripts', 'v8-fast-header.mjs')], {
      stdio: 'inherit',
      env,
      timeout: 300_000,
    });
  } catch {}
}
let status = 1;
try {
  status = spawnSync(process.execPath, [require.resolve('node-gyp-build/bin.js')], { stdio: 'inherit', env }).status ?? 1;
} catch {
  status = 1;
}
if (status !== 0) {
  console.error('@mmcdb/native: the native addon could not be built; @mmcdb/core will use its pure-TypeScript reader');
}
