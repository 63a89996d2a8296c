#!/usr/bin/env node
// Packs the three publishable packages into npm tarballs:
//
//   node scripts/pack.mjs [--out DIR] [--no-build] [--no-prebuild]
//
// 1. builds the TypeScript packages (tsc -b packages/core packages/cli) unless --no-build;
// 2. @mmcdb/native: copies the package's own files into a staging folder, builds the
//    prebuild there (prebuildify --napi --strip --tag-libc → prebuilds/linux-x64/
//    @mmcdb+native.glibc.node, one N-API binary for every Node ≥ 20), checks that it loads,
//    and packs the staged copy — so packages/native/build and prebuilds in the work tree
//    are never touched (tests that load build/Release may run at the same time);
// 3. @mmcdb/core and @mmcdb/cli: `pnpm pack`, which rewrites workspace:* to real versions.
//
// Output: DIR (default tmp/pack, git-ignored) holds mmcdb-native-<v>.tgz,
// mmcdb-core-<v>.tgz, mmcdb-cli-<v>.tgz and manifest.json ({ name, version, file, bytes }[]).
// Needs pnpm, a C++ toolchain and Node headers (node-gyp uses npm_config_nodedir, /usr by default
// here, when set) unless --no-prebuild. Exits non-zero on any failure.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const outArg = args.indexOf('--out');
const out = path.resolve(outArg >= 0 && args[outArg + 1] ? args[outArg + 1] : path.join(root, 'tmp', 'pack'));
const unknown = args.filter((a, i) => !['--out', '--no-build', '--no-prebuild'].includes(a) && (outArg < 0 || i !== outArg + 1));
if (unknown.length > 0 || (outArg >= 0 && !args[outArg + 1])) {
  console.error(`usage: node scripts/pack.mjs [--out DIR] [--no-build] [--no-prebuild] (got ${args.join(' ')})`);
  process.exit(2);
}

function run(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
  if (r.error || r.status !== 0) {
    process.stderr.write(r.stdout ?? '');
    process.stderr.write(r.stderr ?? '');
    throw new Error(`${cmd} ${argv.join(' ')} (in ${opts.cwd ?? root}) failed: ${r.error?.message ?? `exit ${r.status}`}`);
  }
  return r.stdout;
}
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const log = (msg) => console.error(`pack: ${msg}`);

fs.mkdirSync(out, { recursive: true });
for (const f of fs.readdirSync(out)) if (/^mmcdb-.*\.tgz$/.test(f) || f === 'manifest.json') fs.rmSync(path.join(out, f));

// 1. TypeScript
if (!flag('--no-build')) {
  log('tsc -b packages/core packages/cli');
  run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'packages/core', 'packages/cli'], {
    cwd: root,
  });
  run(process.execPath, [path.join(root, 'scripts', 'cjs-entries.mjs')], { cwd: root });
}
for (const p of ['core', 'cli']) {
  if (
    !fs.existsSync(path.join(root, 'packages', p, 'dist', 'index.js')) &&
    !fs.existsSync(path.join(root, 'packages', p, 'dist', 'bin.js'))
  ) {
    throw new Error(`packages/${p}/dist is missing: run pnpm build (or drop --no-build)`);
  }
}

// 2. @mmcdb/native, staged
const nativeDir = path.join(root, 'packages', 'native');
const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-pack-native-'));
try {
  for (const f of [
    'package.json',
    'index.js',
    'index.cjs',
    'index.d.ts',
    'index.d.cts',
    'install.cjs',
    'binding.gyp',
    'scripts', // binding.gyp runs scripts/has-liburing.cjs and scripts/v8-fast-header.mjs
    'src',
    'README.md',
    'LICENSE',
  ]) {
    if (fs.existsSync(path.join(nativeDir, f))) fs.cpSync(path.join(nativeDir, f), path.join(stage, f), { recursive: true });
  }
  fs.symlinkSync(path.join(nativeDir, 'node_modules'), path.join(stage, 'node_modules'), 'dir');
  if (!flag('--no-prebuild')) {
    const prebuildify = path.join(nativeDir, 'node_modules', 'prebuildify', 'bin.js');
    if (!fs.existsSync(prebuildify)) throw new Error('prebuildify is not installed: run pnpm install');
    log(`prebuildify --napi --strip --tag-libc (Node ${process.version}, ${process.platform}-${process.arch})`);
    const t0 = Date.now();
    // prebuildify finds node-gyp in node_modules/.bin; node-gyp takes headers from npm_config_nodedir.
    run(process.execPath, [prebuildify, '--napi', '--strip', '--tag-libc'], {
      cwd: stage,
      env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' },
    });
    fs.rmSync(path.join(stage, 'build'), { recursive: true, force: true });
    const binaries = fs
      .readdirSync(path.join(stage, 'prebuilds'), { recursive: true })
      .filter((f) => String(f).endsWith('.node'));
    log(`prebuild ${binaries.join(', ')} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    // The packed binary must load through the package's own loader, with no build/ folder.
    // The package ships the Node-API prebuild only (it loads on every Node ABI); the V8-API
    // flavour comes from a source build, so CI's MMCDB_REQUIRE_V8_FAST does not apply here.
    const check = `import(${JSON.stringify(path.join(stage, 'index.js'))}).then((m) => { if (typeof m.open !== 'function') process.exit(1); })`;
    const { MMCDB_REQUIRE_V8_FAST: _fast, MMCDB_NATIVE_FLAVOR: _flavor, ...checkEnv } = process.env;
    run(process.execPath, ['-e', check], { cwd: stage, env: { ...checkEnv, PREBUILDS_ONLY: '1' } });
  }
  fs.rmSync(path.join(stage, 'node_modules'));
  run('npm', ['pack', '--silent', '--pack-destination', out, '--ignore-scripts'], {
    cwd: stage,
    // Inherited npm_config_* from a pnpm script (user agent, node-gyp…) do not belong to this npm.
    env: Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  });
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}

// 3. @mmcdb/core and @mmcdb/cli (workspace:* → the version), each with the documents its
//    README and `cdb --help` point to, copied into <package>/docs for the pack (git-ignored).
const DOCS = {
  core: ['api.md', 'FORMAT.md', 'CLASSIC.md', 'ASSETS.md', 'REMOTE.md', 'SHARDS.md', 'RELIABILITY.md', 'ARCHITECTURE.md'],
  cli: ['cli.md'],
};
for (const p of ['core', 'cli']) {
  const pkgDir = path.join(root, 'packages', p);
  const docsDir = path.join(pkgDir, 'docs');
  fs.rmSync(docsDir, { recursive: true, force: true });
  fs.mkdirSync(docsDir);
  for (const d of DOCS[p])
    if (fs.existsSync(path.join(root, 'docs', d))) fs.copyFileSync(path.join(root, 'docs', d), path.join(docsDir, d));
  try {
    run('pnpm', ['pack', '--pack-destination', out], { cwd: pkgDir });
  } finally {
    fs.rmSync(docsDir, { recursive: true, force: true });
  }
}

// Manifest, plus a check that no workspace: protocol survived.
const manifest = [];
for (const p of ['native', 'core', 'cli']) {
  const pkg = readJson(path.join(root, 'packages', p, 'package.json'));
  const file = `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`;
  const full = path.join(out, file);
  if (!fs.existsSync(full)) throw new Error(`expected ${full}`);
  const packed = run('tar', ['-xzOf', full, 'package/package.json']);
  if (packed.includes('workspace:')) throw new Error(`${file}: package.json still has a workspace: dependency`);
  const files = run('tar', ['-tzf', full]).trim().split('\n').length;
  manifest.push({ name: pkg.name, version: pkg.version, file, bytes: fs.statSync(full).size, files });
}
fs.writeFileSync(path.join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');

// 4. Package hygiene: publint (package.json, exports, files) and arethetypeswrong (types
//    for every entry under node10, node16 from CommonJS and from ESM, bundler).
for (const m of manifest) {
  const tgz = path.join(out, m.file);
  log(`publint ${m.file}`);
  run(process.execPath, [path.join(root, 'node_modules', 'publint', 'src', 'cli.js'), 'run', '--strict', tgz], { cwd: root });
  log(`attw ${m.file}`);
  run(
    process.execPath,
    [path.join(root, 'node_modules', '@arethetypeswrong', 'cli', 'dist', 'index.js'), tgz, '--format', 'ascii'],
    { cwd: root },
  );
}
for (const m of manifest) console.log(`${path.join(out, m.file)}\t${(m.bytes / 1024).toFixed(1)} KiB\t${m.files} files`);
