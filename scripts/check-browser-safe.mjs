#!/usr/bin/env node
// Checks that a built entry point runs in a browser: walks the import graph of
// packages/core/dist/remote.js (or the file given as argument) through relative imports
// and bare package imports (resolved with the "browser", "import", "default" export
// conditions), and fails when any module reached imports a Node built-in ("node:…" or a
// bare "fs", "path", …), uses Buffer, require(), __dirname/__filename, or the global
// `process` (globalThis.process?.… feature tests are allowed). Exit 1 with one line per
// problem; prints the modules walked on success.
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const entry = path.resolve(process.argv[2] ?? path.join(root, 'packages/core/dist/remote.js'));
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, m.split('/')[0]]));
const CONDITIONS = ['browser', 'import', 'default'];

/** Source text without comments (string contents are kept: a 'Buffer' in a message is harmless but rare). */
function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

function specifiers(code) {
  const out = [];
  const re = /\b(?:import|export)\s*(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m; (m = re.exec(code)); ) out.push(m[1] ?? m[2]);
  return out;
}

function pick(exp) {
  if (typeof exp === 'string') return exp;
  if (exp === null || typeof exp !== 'object') return undefined;
  if (Array.isArray(exp)) return exp.map(pick).find((x) => x !== undefined);
  for (const c of CONDITIONS)
    if (c in exp) {
      const r = pick(exp[c]);
      if (r !== undefined) return r;
    }
  return undefined;
}

/** The file a bare specifier resolves to from `fromFile`, as a bundler targeting browsers would pick it. */
function resolvePackage(spec, fromFile) {
  const parts = spec.split('/');
  const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const sub = `.${spec.slice(name.length)}`;
  for (let dir = path.dirname(fromFile); ; dir = path.dirname(dir)) {
    const pkgDir = path.join(dir, 'node_modules', name);
    const pkgFile = path.join(pkgDir, 'package.json');
    if (fs.existsSync(pkgFile)) {
      const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
      let target;
      if (pkg.exports !== undefined) {
        const exp =
          typeof pkg.exports === 'string' ||
          Array.isArray(pkg.exports) ||
          !Object.keys(pkg.exports).some((k) => k.startsWith('.'))
            ? { '.': pkg.exports }
            : pkg.exports;
        target = pick(exp[sub]);
      } else if (sub === '.')
        target = (typeof pkg.browser === 'string' ? pkg.browser : undefined) ?? pkg.module ?? pkg.main ?? 'index.js';
      else target = sub;
      if (target === undefined) return undefined;
      return path.join(fs.realpathSync(pkgDir), target);
    }
    if (dir === path.dirname(dir)) return undefined;
  }
}

const problems = [];
const seen = new Set();
const queue = [entry];
while (queue.length > 0) {
  const file = queue.shift();
  if (seen.has(file)) continue;
  seen.add(file);
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    problems.push(`${path.relative(root, file)}: cannot read (${err.code})`);
    continue;
  }
  const code = stripComments(text);
  const where = path.relative(root, file);
  for (const spec of specifiers(code)) {
    if (spec.startsWith('node:') || BUILTINS.has(spec) || BUILTINS.has(spec.split('/')[0])) {
      problems.push(`${where}: imports the Node built-in "${spec}"`);
    } else if (spec.startsWith('.') || spec.startsWith('/')) {
      queue.push(path.resolve(path.dirname(file), spec));
    } else {
      const target = resolvePackage(spec, file);
      if (target === undefined) problems.push(`${where}: cannot resolve "${spec}" for a browser`);
      else queue.push(target);
    }
  }
  const rules = [
    [/\bBuffer\b/, 'uses Buffer'],
    [/\brequire\s*\(/, 'calls require()'],
    [/\b__dirname\b|\b__filename\b/, 'uses __dirname/__filename'],
    [/(?<!globalThis\.|\.)\bprocess\b(?!\s*:)/, 'uses the global process'],
  ];
  code.split('\n').forEach((line, i) => {
    for (const [re, what] of rules) if (re.test(line)) problems.push(`${where}:${i + 1}: ${what}: ${line.trim().slice(0, 120)}`);
  });
}

if (problems.length > 0) {
  for (const p of problems) console.error(`check-browser-safe: ${p}`);
  process.exit(1);
}
console.log(`check-browser-safe: ${path.relative(root, entry)} and ${seen.size - 1} modules it imports are browser-safe`);
