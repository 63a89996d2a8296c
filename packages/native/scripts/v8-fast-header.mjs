#!/usr/bin/env node
// v8-fast-api-calls.h for the V8-API flavour of the addon (binding.gyp mmcdb_v8_abi<ABI>,
// src/fast_calls.cc). Some Node header sets (distribution repacks) leave that one header
// out. It must come from exactly the V8 the running Node embeds — a vendored header of
// another V8 once crashed Node 20 — so this script takes it from a Debian package built
// from the same Node line, checks it, and caches it in packages/native/.cache/.
//
//   node scripts/v8-fast-header.mjs                 fetch into the cache when needed, report
//   node scripts/v8-fast-header.mjs --include-dir   print the include dir to use ('' = none;
//                                                   binding.gyp; never fetches)
//
// Checks, in order: the Node headers in use (npm_config_nodedir, else the running Node's
// own <prefix>/include/node) already have the header → use them. Else their V8 version
// (v8-version.h) must be one listed in KNOWN; the Debian package is downloaded with
// apt-get (which verifies it against the archive's signed index) from the suite named
// there, over the machine's own Debian mirror (the first Debian entry of its apt
// sources), into a private apt state (the machine's apt configuration is left alone);
// every V8 header that the package and the Node headers both have must be byte-identical
// (the same V8), and the header's sha256 must be the one pinned here. Any failure leaves
// no cache entry: the addon is then built in its Node-API flavour only.
// Exit status 0 unless MMCDB_REQUIRE_V8_FAST=1 and no header could be had.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const HEADER = 'v8-fast-api-calls.h';
// V8 version → where its header is packaged. Node 20 embeds V8 11.3.244.8 for its whole
// life; Debian 13 (trixie) packages Node 20 with the full V8 include tree.
const KNOWN = {
  '11.3.244.8': {
    suite: 'trixie',
    package: 'libnode-dev',
    dir: 'usr/include/nodejs/deps/v8/include',
    sha256: '9fb8eacf2e97ffe89c99e6d711632cd287fff55bd999fc5ac99a78f282e7504b',
  },
};

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheRoot = path.join(packageDir, '.cache');
const log = (m) => console.error(`v8-fast-header: ${m}`);
const sha256 = (file) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

export function nodeIncludeDir() {
  const nodedir = process.env.npm_config_nodedir || path.dirname(path.dirname(process.execPath));
  return path.join(nodedir, 'include', 'node');
}

/** "11.3.244.8" from <include>/v8-version.h, or undefined. */
export function v8Version(include) {
  let text;
  try {
    text = fs.readFileSync(path.join(include, 'v8-version.h'), 'utf8');
  } catch {
    return undefined;
  }
  const n = (name) => new RegExp(`^#define\\s+V8_${name}\\s+(\\d+)`, 'm').exec(text)?.[1];
  const parts = ['MAJOR_VERSION', 'MINOR_VERSION', 'BUILD_NUMBER', 'PATCH_LEVEL'].map(n);
  return parts.every((p) => p !== undefined) ? parts.join('.') : undefined;
}

const cacheDir = (version) => path.join(cacheRoot, `v8-${version}`);

/** The include dir holding a checked header for these Node headers, or undefined. */
export function includeDir(include = nodeIncludeDir()) {
  if (fs.existsSync(path.join(include, HEADER))) return include;
  const version = v8Version(include);
  const known = version && KNOWN[version];
  if (!known) return undefined;
  const cached = path.join(cacheDir(version), HEADER);
  return fs.existsSync(cached) && sha256(cached) === known.sha256 ? cacheDir(version) : undefined;
}

/** The machine's Debian archive: { uri, keyring } from its apt sources (deb822 or one-line). */
function debianMirror() {
  const files = [];
  for (const dir of ['/etc/apt/sources.list.d']) {
    try {
      for (const f of fs.readdirSync(dir).sort()) files.push(path.join(dir, f));
    } catch {}
  }
  files.push('/etc/apt/sources.list');
  const defaultKeyring = '/usr/share/keyrings/debian-archive-keyring.gpg';
  for (const f of files) {
    let text;
    try {
      text = fs.readFileSync(f, 'utf8');
    } catch {
      continue;
    }
    if (f.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const field = (k) => new RegExp(`^${k}:\\s*(.+)$`, 'mi').exec(stanza)?.[1].trim();
        const uri = field('URIs')?.split(/\s+/)[0];
        const suites = field('Suites') ?? '';
        const keyring = field('Signed-By') ?? defaultKeyring;
        if (uri && /\/debian\/?$/.test(uri) && /\bmain\b/.test(field('Components') ?? '') && !/-security/.test(suites))
          return { uri, keyring: keyring.startsWith('/') ? keyring : defaultKeyring };
      }
    } else if (f.endsWith('.list')) {
      for (const line of text.split('\n')) {
        const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s+(.*)$/.exec(line.trim());
        if (!m || !/\/debian\/?$/.test(m[2]) || /-security/.test(m[3]) || !/\bmain\b/.test(m[4])) continue;
        const keyring = /signed-by=(\S+)/.exec(m[1] ?? '')?.[1] ?? defaultKeyring;
        return { uri: m[2], keyring };
      }
    }
  }
  return undefined;
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 180_000, ...opts });
  if (r.status !== 0) {
    const why = (r.stderr || r.stdout || String(r.error ?? r.signal)).trim().split('\n').slice(-2).join(' | ');
    throw new Error(`${cmd} ${args.filter((a) => !a.startsWith('-o')).join(' ')} failed: ${why}`);
  }
  return r.stdout;
}

/** Downloads, checks and caches the header for these Node headers. Throws why not. */
export function fetchHeader(include = nodeIncludeDir()) {
  const version = v8Version(include);
  if (!version) throw new Error(`no V8 version in ${include}/v8-version.h`);
  const known = KNOWN[version];
  if (!known) throw new Error(`no known Debian package with ${HEADER} for V8 ${version}`);
  for (const tool of ['apt-get', 'dpkg-deb']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) throw new Error(`${tool} is not available`);
  }
  const mirror = debianMirror();
  if (!mirror) throw new Error('no Debian archive in the apt sources');
  if (!fs.existsSync(mirror.keyring)) throw new Error(`keyring ${mirror.keyring} is missing`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mmcdb-v8-header-'));
  try {
    for (const d of ['lists/partial', 'cache/archives/partial', 'dl', 'x']) fs.mkdirSync(path.join(tmp, d), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'sources.list'), `deb [signed-by=${mirror.keyring}] ${mirror.uri} ${known.suite} main\n`);
    fs.writeFileSync(path.join(tmp, 'status'), '');
    // A private apt: its own source list, index lists, cache and (empty) dpkg status.
    const o = [
      `Dir::Etc::SourceList=${path.join(tmp, 'sources.list')}`,
      'Dir::Etc::SourceParts=/dev/null',
      `Dir::State::Lists=${path.join(tmp, 'lists')}`,
      `Dir::Cache=${path.join(tmp, 'cache')}`,
      `Dir::State::Status=${path.join(tmp, 'status')}`,
      'Acquire::Languages=none',
      'APT::Sandbox::User=root',
    ].flatMap((x) => ['-o', x]);
    run('apt-get', [...o, '-qq', 'update']);
    run('apt-get', [...o, '-qq', 'download', known.package], { cwd: path.join(tmp, 'dl') });
    const deb = fs.readdirSync(path.join(tmp, 'dl')).find((f) => f.endsWith('.deb'));
    if (!deb) throw new Error(`apt-get download ${known.package} left no .deb`);
    run('dpkg-deb', ['-x', path.join(tmp, 'dl', deb), path.join(tmp, 'x')]);
    const from = path.join(tmp, 'x', known.dir);
    const header = path.join(from, HEADER);
    if (!fs.existsSync(header)) throw new Error(`${deb} has no ${known.dir}/${HEADER}`);
    // The same V8: every header both sets have is identical (v8-version.h among them).
    const shared = fs.readdirSync(from).filter((f) => /^v8.*\.h$/.test(f) && fs.existsSync(path.join(include, f)));
    if (!shared.includes('v8-version.h')) throw new Error(`${deb} has no v8-version.h`);
    const differ = shared.filter((f) => sha256(path.join(from, f)) !== sha256(path.join(include, f)));
    if (differ.length) throw new Error(`${deb}'s V8 headers differ from ${include}: ${differ.join(', ')}`);
    const got = sha256(header);
    if (got !== known.sha256) throw new Error(`${HEADER} of ${deb} has sha256 ${got}, expected ${known.sha256}`);
    const dir = cacheDir(version);
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(header, path.join(dir, `${HEADER}.tmp`));
    fs.renameSync(path.join(dir, `${HEADER}.tmp`), path.join(dir, HEADER));
    const source = { package: deb, suite: known.suite, v8: version, sha256: got, identicalHeaders: shared.length };
    fs.writeFileSync(path.join(dir, 'source.json'), `${JSON.stringify(source, null, 1)}\n`);
    return { dir, source };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const include = nodeIncludeDir();
  if (process.argv.includes('--include-dir')) {
    process.stdout.write(includeDir(include) ?? '');
  } else if (includeDir(include)) {
    log(`${HEADER} for V8 ${v8Version(include)}: ${includeDir(include)}`);
  } else {
    try {
      const { dir, source } = fetchHeader(include);
      log(
        `${HEADER} for V8 ${source.v8} from ${source.package} (${source.identicalHeaders} V8 headers identical, sha256 ok): ${dir}`,
      );
    } catch (e) {
      log(`no ${HEADER}, the V8-API flavour will not be built: ${e.message}`);
      if (process.env.MMCDB_REQUIRE_V8_FAST === '1') process.exit(1);
    }
  }
}
