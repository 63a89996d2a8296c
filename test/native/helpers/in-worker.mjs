// Runs a child script of these tests inside a worker thread instead of the main thread:
//   node in-worker.mjs <script> [args…]
// The script sees its arguments in process.argv as usual; its console output reaches
// this process's stdout; this process exits with the worker's exit code (1 when the
// worker threw). The addon is per env, so everything it does must hold here too.
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';

const [script, ...args] = process.argv.slice(2);
const worker = new Worker(pathToFileURL(path.resolve(script)), { argv: args });
worker.on('error', (err) => {
  console.error(err);
  process.exitCode = 1;
});
worker.on('exit', (code) => {
  if (code !== 0) process.exitCode = code;
});
