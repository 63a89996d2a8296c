#!/usr/bin/env node
// Writes @mmcdb/core's require() entries after tsc: for each public entry point a
// CommonJS file (dist/cjs/<entry>.cjs) that loads the ES module through Node's
// require(esm) — one module instance for import and require, so no dual-package
// hazard — and says which Node version is needed where require(esm) is missing, plus
// its types (dist/cjs/<entry>.d.cts, re-exporting the ES module's declarations: TS 5.8+
// with module nodenext resolves them; under node16 a CommonJS file must use import()).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'packages', 'core', 'dist');
const ENTRIES = { index: 'index.js', assets: 'assets/index.js', remote: 'remote.js', internal: 'internal.js' };

if (!fs.existsSync(path.join(dist, 'index.js'))) {
  console.error('cjs-entries: packages/core/dist is missing (run tsc -b packages/core first)');
  process.exit(1);
}
fs.mkdirSync(path.join(dist, 'cjs'), { recursive: true });
for (const [name, target] of Object.entries(ENTRIES)) {
  const spec = `../${target}`;
  const id = name === 'index' ? '@mmcdb/core' : `@mmcdb/core/${name}`;
  fs.writeFileSync(
    path.join(dist, 'cjs', `${name}.cjs`),
    `'use strict';
// require('${id}'): the ES module itself, through require(esm) (Node >= 20.19, >= 22.12).
try {
  module.exports = require(${JSON.stringify(spec)});
} catch (err) {
  if (err && (err.code === 'ERR_REQUIRE_ESM' || err.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
    const e = new Error(
      '${id} is an ES module: require() of it needs Node.js >= 20.19 or >= 22.12 (this is ' + process.version + '); ' +
        "upgrade Node.js, or load it with import('${id}')",
      { cause: err },
    );
    e.code = 'ERR_MMCDB_REQUIRE_ESM';
    throw e;
  }
  throw err;
}
`,
  );
  fs.writeFileSync(path.join(dist, 'cjs', `${name}.d.cts`), `export * from ${JSON.stringify(spec)};\n`);
}
