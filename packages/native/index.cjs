// Loader for the native addon. Tries, in order: node-gyp-build on this package
// (prebuilds/<platform>-<arch>/, then build/Release, build/Debug), then the build
// folders directly. When every candidate fails it throws ONE Error that lists each
// path tried and why it failed (code ERR_MMCDB_NATIVE_LOAD, `attempts` property).
// The test addon (build/Release/mmcdb_test.node, with test hooks) is never loaded here.
//
// Two flavours (binding.gyp): the Node-API addon (mmcdb.node, any Node ≥ 20), and the
// V8-API one (mmcdb_v8_abi<NODE_MODULE_VERSION>.node: V8 fast API calls for get/has,
// segment buffers V8 does not count), built for one Node ABI and only ever looked for
// under the running Node's own ABI number. MMCDB_NATIVE_FLAVOR=napi|v8 chooses; by
// default the V8-API flavour when it loads here, else the Node-API one. binding.flavor
// says which loaded and binding.flavorReason why. MMCDB_REQUIRE_V8_FAST=1 (CI) makes a
// V8-API flavour that does not load an error instead of a fallback.
'use strict';
// CommonJS, so that @mmcdb/core can load it synchronously (createRequire) from both its
// ES module and a require() of it, on every Node ≥ 20; index.js is the ES module face.
const { join } = require('node:path');

const packageDir = __dirname;
const TEST_HOOKS = ['xxh64', 'djb', 'sigbusTest'];

const ABI = process.versions.modules;
const V8_FILE = `mmcdb_v8_abi${ABI}.node`;

function accept(binding) {
  if (typeof binding?.open !== 'function') throw new Error('module does not export open()');
  if (TEST_HOOKS.some((name) => name in binding)) throw new Error('module is the test addon (it has test hooks)');
  return binding;
}

/** The V8-API flavour for this ABI, or undefined (attempts says why). */
function loadV8(attempts) {
  for (const p of [
    join(packageDir, 'prebuilds', `${process.platform}-${process.arch}`, V8_FILE),
    join(packageDir, 'build', 'Release', V8_FILE),
  ]) {
    try {
      const binding = accept(require(p));
      if (binding.flavor !== 'v8') throw new Error(`module reports flavour ${binding.flavor}, not v8`);
      return binding;
    } catch (err) {
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      attempts.push({ path: p, reason: /Cannot find module/.test(reason) ? 'not built' : reason });
    }
  }
  return undefined;
}

function loadNapi() {
  const attempts = [];
  const candidates = [
    { path: `node-gyp-build(${packageDir})`, load: () => require('node-gyp-build')(packageDir) },
    { path: join(packageDir, 'build', 'Release', 'mmcdb.node') },
    { path: join(packageDir, 'build', 'Debug', 'mmcdb.node') },
  ];
  for (const c of candidates) {
    try {
      return accept(c.load ? c.load() : require(c.path));
    } catch (err) {
      attempts.push({ path: c.path, reason: err instanceof Error ? err.message.split('\n')[0] : String(err) });
    }
  }
  const list = attempts.map((a) => `  - ${a.path}: ${a.reason}`).join('\n');
  const err = new Error(
    `@mmcdb/native: could not load the native addon for ${process.platform}-${process.arch} ` +
      `(Node ${process.versions.node}, ABI ${process.versions.modules}). Tried:\n${list}\n` +
      `Build it with "pnpm --filter @mmcdb/native run build" (needs a C++ compiler and Node headers).`,
  );
  err.code = 'ERR_MMCDB_NATIVE_LOAD';
  err.attempts = attempts;
  throw err;
}

/** { addon, flavor, flavorReason }: the flavour chosen as the header comment says. */
function load() {
  const asked = process.env.MMCDB_NATIVE_FLAVOR || undefined;
  const required = process.env.MMCDB_REQUIRE_V8_FAST === '1';
  let note = '';
  if (asked !== undefined && asked !== 'napi' && asked !== 'v8') {
    note = `MMCDB_NATIVE_FLAVOR=${asked} is neither napi nor v8 (ignored); `;
  }
  if (asked === 'napi') {
    return { addon: loadNapi(), flavor: 'napi', flavorReason: 'MMCDB_NATIVE_FLAVOR=napi' };
  }
  const attempts = [];
  const v8 = loadV8(attempts);
  if (v8 !== undefined) {
    const why = asked === 'v8' ? 'MMCDB_NATIVE_FLAVOR=v8' : `${note}the default where it loads`;
    return { addon: v8, flavor: 'v8', flavorReason: `${V8_FILE} (V8 fast API calls, Node ABI ${ABI}): ${why}` };
  }
  const tried = attempts.map((a) => `${a.path}: ${a.reason}`).join('; ');
  if (required) {
    const err = new Error(`@mmcdb/native: MMCDB_REQUIRE_V8_FAST=1 but the V8-API flavour did not load. Tried: ${tried}`);
    err.code = 'ERR_MMCDB_NATIVE_LOAD';
    err.attempts = attempts;
    throw err;
  }
  return { addon: loadNapi(), flavor: 'napi', flavorReason: `${note}no V8-API flavour for Node ABI ${ABI} (${tried})` };
}

const { addon, flavor, flavorReason } = load();

/** @type {import('./index.d.ts').NativeBinding} */
const binding = {
  open: addon.open,
  encodeCdbmake: addon.encodeCdbmake,
  setErrorClass: addon.setErrorClass,
  lockFile: addon.lockFile,
  shardRoute: addon.shardRoute,
  shardEncode: addon.shardEncode,
  shardRouter: addon.shardRouter,
  shardIndex: addon.shardIndex,
  mappings: addon.mappings,
  flavor,
  flavorReason,
};

/**
 * A view of `length` file bytes at absolute `offset` over the handle's segments, or a
 * copy when no segment holds them whole, they are outside the data section (segments
 * cover only that), or external buffers are unavailable. Reference implementation of
 * the addressing documented in index.d.ts.
 */
function viewOf(handle, offset, length) {
  const n = handle.segments.length;
  const rel = offset - handle.segmentBase;
  if (!handle.externalBuffers || n === 0 || rel < 0) return handle.copy(offset, length);
  // The last window also holds an empty value at the very end of the data section.
  const i = Math.min(Math.floor(rel / handle.segmentStride), n - 1);
  const start = i * handle.segmentStride;
  // Windows of data sections over 1 GiB are created on first use (index.d.ts, segment()).
  const seg = handle.segments[i] ?? (handle.segments[i] = handle.segment(i));
  if (seg === undefined || rel - start + length > seg.byteLength) {
    // A value no window holds whole: an ArrayBuffer of its own, else a copy.
    const own = seg === undefined ? undefined : handle.range(offset, length);
    return own !== undefined ? Buffer.from(own) : handle.copy(offset, length);
  }
  return Buffer.from(seg, rel - start, length);
}

module.exports = binding;
module.exports.default = binding;
module.exports.viewOf = viewOf;
