// The conformance cases (cases.ts) on every local backend: mmap (when the addon loads
// here), memory and pread.
import { openSync } from '@mmcdb/core';
import { availableBackends } from '../helpers/backends.js';
import { defineConformance } from './cases.js';
import { localAdapter } from './local-adapter.js';

export { localAdapter }; // its home is local-adapter.ts (importing a test file runs its suites again)

for (const backend of availableBackends()) {
  defineConformance(`${backend} backend`, async (file) => localAdapter(openSync(file, { backend })));
}
