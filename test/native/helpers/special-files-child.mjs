// Child of special-files.test.ts: opens a FIFO, a Unix socket, a character device and
// a directory through the addon and through @mmcdb/core's mmap backend; prints one JSON
// object of outcomes. A FIFO open that blocks hangs this child (the parent's timeout).
// argv: <dir> <native index.js>
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { CdbError, openSync } from '@mmcdb/core';

const [dir, nativeIndex] = process.argv.slice(2);
const native = (await import(pathToFileURL(nativeIndex).href)).default;

const fifo = path.join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const sock = path.join(dir, 'sock');
const server = net.createServer().listen(sock);
await new Promise((r) => server.once('listening', r));

const outcome = (fn) => {
  try {
    fn();
    return { ok: true };
  } catch (err) {
    return {
      cls: err instanceof CdbError ? 'CdbError' : err?.constructor?.name,
      code: err?.code,
      message: err?.message,
      path: err?.path,
    };
  }
};
const out = {};
for (const [name, p] of [
  ['fifo', fifo],
  ['socket', sock],
  ['chardev', '/dev/null'],
  ['dir', dir],
]) {
  out[name] = outcome(() => native.open(p));
  out[`${name}Core`] = outcome(() => openSync(p, { backend: 'mmap' }));
}
server.close();
console.log(JSON.stringify(out));
