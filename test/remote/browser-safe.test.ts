// @mmcdb/core/remote must run in a browser: nothing it reaches may import node: modules or
// use Buffer/process/require (scripts/check-browser-safe.mjs walks the built graph).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const script = path.join(root, 'scripts/check-browser-safe.mjs');

it('the built browser entry and everything it imports are browser-safe', () => {
  const r = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/remote\.js and \d+ modules it imports are browser-safe/);
});

it('the checker catches a Node import or a Buffer reached through the graph', () => {
  const dir = tempDir('mmcdb-browser-safe-');
  fs.writeFileSync(path.join(dir, 'entry.js'), "import { x } from './a.js';\nexport const y = x;\n");
  fs.writeFileSync(
    path.join(dir, 'a.js'),
    "import * as fs from 'node:fs';\n// Buffer in a comment is fine\nexport const x = Buffer.from('a');\n",
  );
  const r = spawnSync(process.execPath, [script, path.join(dir, 'entry.js')], { cwd: root, encoding: 'utf8' });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/imports the Node built-in "node:fs"/);
  expect(r.stderr).toMatch(/a\.js:3: uses Buffer/);
  expect(r.stderr).not.toMatch(/a\.js:2/);
});
