// Installs the packed tarballs the way a user would: plain `npm install` into a fresh project,
// with no compiler on the PATH (only node, npm, npx and sh), then uses them from ESM, from
// CommonJS, through the `cdb` command and through TypeScript. A second project gets a native
// package without its prebuild (its install-time compile fails, the install must not) and
// checks the pure-TypeScript fallback, then the same with the native package gone entirely.
//
// Packing runs scripts/pack.mjs (tsc -b, prebuildify in a staging folder, pnpm pack); the
// npm registry is used for the packages' own dependencies, typescript and @types/node.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-install-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** npm-cli.js / npx-cli.js of the npm on the PATH (which is usually a symlink to them). */
function npmBinDir(): string {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'npm');
    if (!dir || !fs.existsSync(candidate)) continue;
    const real = fs.realpathSync(candidate);
    if (path.basename(real) === 'npm-cli.js') return path.dirname(real);
  }
  const guess = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin');
  if (fs.existsSync(path.join(guess, 'npm-cli.js'))) return guess;
  throw new Error('cannot find npm-cli.js');
}

// A bin folder with node, npm, npx and sh (npm runs install scripts with sh) — nothing else:
// no gcc, g++, cc, make, python.
const toolBin = path.join(work, 'bin');
fs.mkdirSync(toolBin);
fs.symlinkSync(process.execPath, path.join(toolBin, 'node'));
fs.symlinkSync(path.join(npmBinDir(), 'npm-cli.js'), path.join(toolBin, 'npm'));
fs.symlinkSync(path.join(npmBinDir(), 'npx-cli.js'), path.join(toolBin, 'npx'));
fs.symlinkSync('/bin/sh', path.join(toolBin, 'sh'));

// The user's environment, less what pnpm/vitest/this repo put in it (pnpm exports its config
// as npm_config_*: keep only the ones that say where and how to reach the registry).
const keep =
  /^npm_config_(.*registry|cache|cafile|ca|cert|key|strict_ssl|proxy|https_proxy|noproxy|userconfig|globalconfig|prefer_offline|offline)$/i;
const drop = /^(npm_|pnpm_|VITEST|MMCDB_)|^(NODE_OPTIONS|NODE_PATH|NODE_ENV|DEBUG|INIT_CWD)$/i;
const env: NodeJS.ProcessEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => keep.test(k) || !drop.test(k))),
  PATH: toolBin,
  npm_config_update_notifier: 'false',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};

function sh(cmd: string, argv: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, argv, { cwd, env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 150_000 });
}
function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0)
    throw new Error(`${what} exited ${r.status} ${r.signal ?? ''} ${r.error?.message ?? ''}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}
function node(cwd: string, file: string, argv: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return sh(path.join(toolBin, 'node'), [file, ...argv], cwd, extraEnv);
}
function npm(cwd: string, argv: string[]): SpawnSyncReturns<string> {
  return sh(path.join(toolBin, 'node'), [path.join(toolBin, 'npm'), ...argv], cwd);
}
function newProject(name: string, files: Record<string, string>): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }, null, 2));
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
  return dir;
}
const NPM_INSTALL = ['install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', '--loglevel=warn'];

// Runs in the consumer project: builds a db, opens it `opens` times, prints one JSON line.
const ESM_CHECK = `
import { build, openSync } from '@mmcdb/core';
import * as path from 'node:path';
const file = path.resolve('config.mmcdb');
await build(file, [['feature.x', 'on'], ['limit', '100']]);
const opens = Number(process.argv[2] ?? 1);
const seen = [];
for (let i = 0; i < opens; i++) {
  const db = openSync(file);
  seen.push({ backend: db.backend, limit: db.getString('limit'), missing: db.get('missing') ?? null, fallbackReason: db.fallbackReason ?? null });
  db.close();
}
console.log(JSON.stringify(seen));
`;

// CommonJS: require() of every entry (the ES module through require(esm)), then import().
const CJS_CHECK = `
let viaRequire;
try {
  const ok = ['@mmcdb/core', '@mmcdb/core/assets', '@mmcdb/core/remote'].every((id) => typeof require(id) === 'object');
  viaRequire = ok && typeof require('@mmcdb/core').openSync === 'function' && require('@mmcdb/core').CdbError === require('@mmcdb/core/remote').CdbError ? 'ok' : 'incomplete';
} catch (err) {
  viaRequire = err.code ?? String(err);
}
import('@mmcdb/core').then(({ openSync }) => {
  const db = openSync(process.argv[2]);
  console.log(JSON.stringify({ viaRequire, backend: db.backend, limit: db.getString('limit') }));
  db.close();
});
`;

// @mmcdb/core/assets end to end: build from a folder, serve it over HTTP, fetch one file.
const ASSETS_CHECK = `
import { buildAssets, createAssetHandler } from '@mmcdb/core/assets';
import * as fs from 'node:fs';
import * as http from 'node:http';
fs.mkdirSync('site/css', { recursive: true });
fs.writeFileSync('site/index.html', '<h1>hello</h1>');
fs.writeFileSync('site/css/a.css', 'h1{color:red}');
await buildAssets('site', 'site.mmcdb');
const server = http.createServer(createAssetHandler('site.mmcdb')).listen(0, '127.0.0.1');
await new Promise((r) => server.once('listening', r));
const base = 'http://127.0.0.1:' + server.address().port;
const page = await fetch(base + '/');
const css = await fetch(base + '/css/a.css');
const missing = await fetch(base + '/nope.txt');
console.log(JSON.stringify({ page: [page.status, await page.text()], css: [css.status, css.headers.get('content-type')], missing: missing.status }));
server.close();
`;

// The TypeScript consumers (fixtures/install): every export of the Node entries, a
// CommonJS file that require()s the package, a browser file with no Node types.
const FIXTURES = path.join(repo, 'fixtures', 'install');
const fixture = (name: string): string => fs.readFileSync(path.join(FIXTURES, name), 'utf8');

type Mode = 'nodenext' | 'node16' | 'bundler' | 'browser';
function tsconfig(mode: Mode): string {
  const module = mode === 'nodenext' || mode === 'node16' ? mode : 'esnext';
  const resolution = mode === 'nodenext' || mode === 'node16' ? mode : 'bundler';
  return JSON.stringify({
    compilerOptions: {
      strict: true,
      target: 'ES2022',
      module,
      moduleResolution: resolution,
      noEmit: true,
      skipLibCheck: false,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      // No "types": the default (all of @types with TS 5, none with TS 6+) must work.
      ...(mode === 'browser' && { lib: ['ES2022', 'DOM'], types: [] }),
    },
    files: mode === 'browser' ? ['browser.mts'] : mode === 'nodenext' ? ['consumer.mts', 'consumer.cts'] : ['consumer.mts'],
  });
}
const TS_CONSUMER: Record<string, string> = {
  'consumer.mts': fixture('consumer.mts'),
  'consumer.cts': fixture('consumer.cts'),
  'browser.mts': fixture('browser.mts'),
  ...Object.fromEntries((['nodenext', 'node16', 'bundler', 'browser'] as const).map((m) => [`tsconfig.${m}.json`, tsconfig(m)])),
};
/** TypeScript 5.x and the newest (6 and 7 default `types` to [], so only the package's own reference brings Node's types). */
const TYPESCRIPTS = { ts5: 'typescript@~5.9.3', ts6: 'typescript@6.0.3', ts7: 'typescript@7.0.2' } as const;

/** The CommonJS snippet of the README, as written. */
function readmeCjsSnippet(): string {
  const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes("require('@mmcdb/core')"));
  if (block === undefined) throw new Error('README has no CommonJS snippet');
  return block.replace(/^ {2}/gm, '');
}

let tarballs: { native: string; core: string; cli: string };

beforeAll(() => {
  const out = path.join(work, 'pack');
  // The repository's own environment (pnpm, tsc, a compiler for the prebuild).
  const r = spawnSync(process.execPath, [path.join(repo, 'scripts', 'pack.mjs'), '--out', out], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 240_000,
  });
  ok(r, 'scripts/pack.mjs');
  const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { name: string; file: string }[];
  const file = (name: string): string => path.join(out, manifest.find((m) => m.name === name)!.file);
  tarballs = { native: file('@mmcdb/native'), core: file('@mmcdb/core'), cli: file('@mmcdb/cli') };
}, 240_000);

it('the tool PATH has node and npm but no compiler', () => {
  const probe = ['node', 'npm', 'gcc', 'g++', 'cc', 'c++', 'clang', 'make', 'python3', 'python']
    .map((t) => `command -v ${t};`)
    .join(' ');
  const r = sh('sh', ['-c', `${probe} true`], work);
  expect(r.stdout.trim().split('\n')).toEqual([path.join(toolBin, 'node'), path.join(toolBin, 'npm')]);
});

describe('with the linux-x64 prebuild', () => {
  let dir: string;

  beforeAll(() => {
    dir = newProject('consumer', {
      'esm.mjs': ESM_CHECK,
      'cjs.cjs': CJS_CHECK,
      'assets.mjs': ASSETS_CHECK,
      'readme.cjs': readmeCjsSnippet(),
      ...TS_CONSUMER,
      'input.jsonl': '{"key":"FR","value":"Paris"}\n{"key":"JP","value":"Tokyo"}\n',
    });
    // No @types/node of its own: the package brings it (and its reference loads it).
    const ts = Object.entries(TYPESCRIPTS).map(([alias, spec]) => `${alias}@npm:${spec}`);
    const r = npm(dir, [...NPM_INSTALL, tarballs.native, tarballs.core, tarballs.cli, ...ts]);
    ok(r, 'npm install');
    expect(r.stdout + r.stderr).not.toMatch(/^@mmcdb\/native: the native addon could not be built|gyp (ERR|info)/m);
  }, 240_000);

  it.runIf(process.platform === 'linux' && process.arch === 'x64')('installs the prebuild and compiles nothing', () => {
    const nativeDir = path.join(dir, 'node_modules', '@mmcdb', 'native');
    expect(fs.readdirSync(path.join(nativeDir, 'prebuilds', 'linux-x64'))).toEqual(['@mmcdb+native.glibc.node']);
    expect(fs.existsSync(path.join(nativeDir, 'build'))).toBe(false);
  });

  it('dependencies are real versions, core lists native as optional', () => {
    const core = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', '@mmcdb', 'core', 'package.json'), 'utf8'));
    const cli = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', '@mmcdb', 'cli', 'package.json'), 'utf8'));
    expect(core.optionalDependencies).toEqual({ '@mmcdb/native': core.version });
    expect(cli.dependencies['@mmcdb/core']).toBe(core.version);
    const lock = fs.readFileSync(path.join(dir, 'package-lock.json'), 'utf8');
    expect(lock).not.toContain('workspace:');
  });

  it('ESM import: openSync serves from the mmap backend', () => {
    const r = node(dir, 'esm.mjs', ['3'], { DEBUG: 'mmcdb' });
    const seen = JSON.parse(ok(r, 'esm.mjs')) as unknown[];
    expect(seen).toEqual(Array(3).fill({ backend: 'mmap', limit: '100', missing: null, fallbackReason: null }));
    expect(r.stderr).not.toContain('native reader unavailable');
  });

  it('CommonJS: require() of every entry and import() work; the README snippet runs as written', () => {
    const r = node(dir, 'cjs.cjs', ['config.mmcdb']);
    const got = JSON.parse(ok(r, 'cjs.cjs')) as { viaRequire: string; backend: string; limit: string };
    expect(got).toEqual({ viaRequire: 'ok', backend: 'mmap', limit: '100' });
    expect(ok(node(dir, 'readme.cjs'), 'readme.cjs').trim()).toBe('100');
  });

  it('where require() of ES modules is missing, the error names the Node versions needed', () => {
    // Node 20.19+ can turn require(esm) off: what Node 20.0–20.18 and 22.0–22.11 do.
    const r = sh(path.join(toolBin, 'node'), ['--no-experimental-require-module', 'cjs.cjs', 'config.mmcdb'], dir);
    const got = JSON.parse(ok(r, 'cjs.cjs without require(esm)')) as { viaRequire: string };
    expect(got.viaRequire).toBe('ERR_MMCDB_REQUIRE_ESM');
    const e = sh(path.join(toolBin, 'node'), ['--no-experimental-require-module', '-e', "require('@mmcdb/core')"], dir);
    expect(e.stderr).toMatch(/needs Node\.js >= 20\.19 or >= 22\.12 \(this is v\d+/);
  });

  it('npx cdb build / get', () => {
    ok(sh('npx', ['--no-install', 'cdb', 'build', 'cities.mmcdb', 'input.jsonl'], dir), 'cdb build');
    expect(ok(sh('npx', ['--no-install', 'cdb', 'get', 'cities.mmcdb', 'JP'], dir), 'cdb get')).toBe('Tokyo');
    expect(ok(sh('npx', ['--no-install', 'cdb', '--backend', 'mmap', 'get', 'cities.mmcdb', 'FR'], dir), 'cdb get')).toBe(
      'Paris',
    );
    expect(sh('npx', ['--no-install', 'cdb', 'get', 'cities.mmcdb', 'XX'], dir).status).toBe(100);
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', '@mmcdb', 'cli', 'package.json'), 'utf8'));
    expect(ok(sh('npx', ['--no-install', 'cdb', '--version'], dir), 'cdb --version').trim()).toBe(pkg.version);
  });

  it('@mmcdb/core/assets: build a folder and serve it', () => {
    const got = JSON.parse(ok(node(dir, 'assets.mjs'), 'assets.mjs'));
    expect(got).toEqual({ page: [200, '<h1>hello</h1>'], css: [200, 'text/css; charset=utf-8'], missing: 404 });
  });

  it.each(Object.keys(TYPESCRIPTS))(
    'the types compile in a strict consumer with %s (nodenext, node16, bundler; browser entry without Node types)',
    (alias) => {
      const tsc = path.join(dir, 'node_modules', alias, 'bin', 'tsc');
      for (const mode of ['nodenext', 'node16', 'bundler', 'browser'])
        ok(node(dir, tsc, ['-p', `tsconfig.${mode}.json`]), `${alias} (${mode})`);
    },
  );

  it('… and with @types/node of the oldest supported major (20) installed by the consumer', () => {
    const old = newProject('consumer-node20', { ...TS_CONSUMER });
    ok(
      npm(old, [
        ...NPM_INSTALL,
        '--ignore-scripts',
        tarballs.native,
        tarballs.core,
        `ts5@npm:${TYPESCRIPTS.ts5}`,
        `ts7@npm:${TYPESCRIPTS.ts7}`,
        '@types/node@^20.19.0',
      ]),
      'npm install',
    );
    const version = JSON.parse(fs.readFileSync(path.join(old, 'node_modules', '@types', 'node', 'package.json'), 'utf8'))
      .version as string;
    expect(version).toMatch(/^20\./);
    for (const alias of ['ts5', 'ts7']) {
      const tsc = path.join(old, 'node_modules', alias, 'bin', 'tsc');
      for (const mode of ['nodenext', 'node16', 'bundler'])
        ok(node(old, tsc, ['-p', `tsconfig.${mode}.json`]), `${alias} (${mode}, @types/node 20)`);
    }
  }, 240_000);
});

// pnpm 10 runs no dependency install scripts unless allowed, and npm's allowScripts policy
// is moving the same way: the prebuild must load without the install script having run.
it('with install scripts disabled, the prebuild still serves', () => {
  const dir = newProject('no-scripts', { 'esm.mjs': ESM_CHECK });
  ok(npm(dir, [...NPM_INSTALL, '--ignore-scripts', tarballs.native, tarballs.core]), 'npm install --ignore-scripts');
  const seen = JSON.parse(ok(node(dir, 'esm.mjs'), 'esm.mjs')) as { backend: string }[];
  expect(seen[0]!.backend).toBe(process.platform === 'linux' && process.arch === 'x64' ? 'mmap' : 'memory');
}, 120_000);

describe('without a usable native addon', () => {
  let dir: string;
  let install: SpawnSyncReturns<string>;

  beforeAll(() => {
    // The native tarball minus its prebuilds: the install script tries node-gyp, which
    // cannot work without python/make/g++, and must leave the install successful.
    const unpack = path.join(work, 'native-src');
    fs.mkdirSync(unpack);
    ok(spawnSync('tar', ['-xzf', tarballs.native, '-C', unpack], { encoding: 'utf8' }), 'tar -x');
    fs.rmSync(path.join(unpack, 'package', 'prebuilds'), { recursive: true, force: true });
    const sourceOnly = path.join(work, 'mmcdb-native-source-only.tgz');
    ok(spawnSync('tar', ['-czf', sourceOnly, '-C', unpack, 'package'], { encoding: 'utf8' }), 'tar -c');
    dir = newProject('fallback', { 'esm.mjs': ESM_CHECK });
    install = npm(dir, [...NPM_INSTALL, sourceOnly, tarballs.core]);
  }, 240_000);

  it('the install succeeds although the addon cannot be compiled', () => {
    ok(install, 'npm install');
    // The message itself, not npm's echo of the script ("> node-gyp-build || echo '…'").
    expect(install.stdout + install.stderr).toMatch(/^@mmcdb\/native: the native addon could not be built/m);
    expect(fs.existsSync(path.join(dir, 'node_modules', '@mmcdb', 'native', 'build', 'Release', 'mmcdb.node'))).toBe(false);
  });

  it('serves from memory, keeps the reason, and DEBUG=mmcdb prints it once', () => {
    const r = node(dir, 'esm.mjs', ['3'], { DEBUG: 'mmcdb' });
    const seen = JSON.parse(ok(r, 'esm.mjs')) as { backend: string; limit: string; fallbackReason: string }[];
    expect(seen.map((s) => [s.backend, s.limit])).toEqual(Array(3).fill(['memory', '100']));
    expect(seen[0]!.fallbackReason).toMatch(/could not load the native addon/);
    expect(r.stderr.match(/mmcdb: native reader unavailable/g)).toHaveLength(1);
    // Without DEBUG: silent.
    const quiet = node(dir, 'esm.mjs');
    ok(quiet, 'esm.mjs');
    expect(quiet.stderr).toBe('');
  });

  it('the same when the optional native package is not installed at all', () => {
    fs.rmSync(path.join(dir, 'node_modules', '@mmcdb', 'native'), { recursive: true, force: true });
    const r = node(dir, 'esm.mjs', ['2'], { DEBUG: 'mmcdb' });
    const seen = JSON.parse(ok(r, 'esm.mjs')) as { backend: string; fallbackReason: string }[];
    expect(seen.map((s) => s.backend)).toEqual(['memory', 'memory']);
    expect(seen[0]!.fallbackReason).toMatch(/Cannot find (package|module) '@mmcdb\/native'/);
    expect(r.stderr.match(/mmcdb: native reader unavailable/g)).toHaveLength(1);
  });
});
