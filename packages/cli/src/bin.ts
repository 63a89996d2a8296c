#!/usr/bin/env node
// The `cdb` executable. Exits once stdout has been flushed.
import { main } from './main.js';

const code = await main(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
