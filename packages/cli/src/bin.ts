#!/usr/bin/env node
// The `cdb` executable. Exits once stdout has taken everything; errors of stdout are
// handled by the command that writes (output.ts), and never keep the process alive.
import { main } from './main.js';

process.stdout.on('error', () => undefined);
const code = await main(process.argv.slice(2));
if (process.stdout.writableLength === 0) process.exit(code);
process.stdout.write('', () => process.exit(code));
