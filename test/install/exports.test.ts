// The TypeScript consumers of fixtures/install (type-checked against the packed package
// by install.test.ts) name every export of the entry points they stand for: a new export
// without a consumer line fails here, not in a user's project.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(repo, 'packages', 'core', 'dist');

/** The names a declaration entry point exports (values and types), resolved through re-exports. */
function exportsOf(entry: string): string[] {
  const program = ts.createProgram([entry], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    noEmit: true,
  });
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry)!;
  const symbol = checker.getSymbolAtLocation(file)!;
  return checker
    .getExportsOfModule(symbol)
    .map((s) => s.getName())
    .sort();
}

function mentioned(fixture: string): Set<string> {
  const text = fs.readFileSync(path.join(repo, 'fixtures', 'install', fixture), 'utf8');
  return new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);
}

describe('the install fixtures cover every export', () => {
  it.each([
    ['consumer.mts', ['index.d.ts', 'assets/index.d.ts']],
    ['browser.mts', ['remote.d.ts']],
  ])('%s', (fixture, entries) => {
    const names = mentioned(fixture);
    for (const entry of entries) {
      const missing = exportsOf(path.join(dist, entry)).filter((n) => !names.has(n));
      expect(missing, `${entry} exports not used in fixtures/install/${fixture}`).toEqual([]);
    }
  });
});
