#!/usr/bin/env node
// The dependency rule of @mmcdb/core (docs/ARCHITECTURE.md §Dependency rule), checked on
// the TypeScript sources: every relative import must go from a layer to itself or to a
// layer it may use, and no module may import itself back through others (no circles,
// type-only imports included). Also checks the CLI for circles. Exit 1 with one line per
// violation.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Which folders of packages/core/src each folder may import (besides itself). */
const MAY_USE = {
  util: [],
  source: ['util'],
  build: ['util', 'source'],
  format: ['util', 'source', 'build'],
  reader: ['util', 'source', 'build', 'format'],
  assets: ['util', 'source', 'build', 'format', 'reader'],
  '.': ['util', 'source', 'build', 'format', 'reader', 'assets'], // the entry points
};
/** Inside format/: one format never imports the other (the format/*.ts dispatchers may). */
const FORMAT_SIBLINGS = ['mmcdb', 'classic'];

function walk(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else if (/\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function importsOf(file) {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [];
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m; (m = re.exec(text)); ) specs.push(m[1] ?? m[2]);
  return specs.filter((s) => s.startsWith('.')).map((s) => path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts')));
}

const problems = [];

function checkCycles(files, label) {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => graph0.has(t) || files.includes(t))]));
  const state = new Map();
  const stack = [];
  const visit = (f) => {
    state.set(f, 1);
    stack.push(f);
    for (const t of graph.get(f) ?? []) {
      if (state.get(t) === 1) {
        const cycle = stack
          .slice(stack.indexOf(t))
          .concat(t)
          .map((p) => path.relative(root, p));
        problems.push(`${label}: import circle ${cycle.join(' → ')}`);
      } else if (!state.has(t)) visit(t);
    }
    stack.pop();
    state.set(f, 2);
  };
  for (const f of files) if (!state.has(f)) visit(f);
}
const graph0 = new Set();

const coreSrc = path.join(root, 'packages/core/src');
const coreFiles = walk(coreSrc);
for (const f of coreFiles) graph0.add(f);
const layerOf = (file) => {
  const rel = path.relative(coreSrc, file).split(path.sep);
  return rel.length === 1 ? '.' : rel[0];
};
for (const f of coreFiles) {
  const from = layerOf(f);
  const allowed = MAY_USE[from];
  if (allowed === undefined) {
    problems.push(`${path.relative(root, f)}: folder ${from}/ has no entry in the dependency rule (scripts/check-deps.mjs)`);
    continue;
  }
  const relFrom = path.relative(coreSrc, f).split(path.sep);
  for (const t of importsOf(f)) {
    const to = layerOf(t);
    if (to !== from && !allowed.includes(to)) {
      problems.push(`${path.relative(root, f)} imports ${path.relative(root, t)}: ${from}/ may not use ${to}/`);
    }
    const relTo = path.relative(coreSrc, t).split(path.sep);
    if (from === 'format' && to === 'format' && relFrom.length === 3 && relTo.length === 3) {
      const a = relFrom[1];
      const b = relTo[1];
      if (a !== b && FORMAT_SIBLINGS.includes(a) && FORMAT_SIBLINGS.includes(b)) {
        problems.push(`${path.relative(root, f)} imports ${path.relative(root, t)}: format/${a}/ may not use format/${b}/`);
      }
    }
  }
}
checkCycles(coreFiles, '@mmcdb/core');
const cliFiles = walk(path.join(root, 'packages/cli/src'));
for (const f of cliFiles) graph0.add(f);
checkCycles(cliFiles, '@mmcdb/cli');

if (problems.length > 0) {
  for (const p of problems) console.error(`check-deps: ${p}`);
  process.exit(1);
}
console.log(`check-deps: ${coreFiles.length + cliFiles.length} modules, dependency rule holds, no import circles`);
