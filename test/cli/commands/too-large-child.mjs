// Runs the cdb CLI in this process with core's classic size limit lowered (a test hook that
// is not part of core's public exports), so `cdb convert … --format classic` meets
// ERR_CDB_TOO_LARGE without writing 4 GiB. Usage: node too-large-child.mjs <limit> <cdb args…>
import { testHooks } from '@mmcdb/core/internal';
import { main } from '../../../packages/cli/dist/main.js';

testHooks.classicMaxFileSize = Number(process.argv[2]);
const code = await main(process.argv.slice(3));
process.stdout.write('', () => process.exit(code));
