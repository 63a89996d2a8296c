// The conformance cases (cases.ts) on sharded sets (docs/SHARDS.md): each fixture's
// records built as a set of 1, 7 and 64 shards (most of the 64 empty for the small
// fixtures) and read through openSync(setDir) on every local backend must answer as
// the single file does; entries() comes shard by shard, so only its multiset is compared.
import * as path from 'node:path';
import { buildSharded, openSync } from '@mmcdb/core';
import { availableBackends } from '../helpers/backends.js';
import { tempDir } from '../helpers/tmp.js';
import { defineConformance, type Fixture } from './cases.js';
import { localAdapter } from './local-adapter.js';

const dir = tempDir('mmcdb-conformance-sets-');
const built = new Map<string, Promise<string>>();

/** The set of `fx` with `shards` shards, built once per fixture and shard count. */
function setOf(fx: Fixture, shards: number): Promise<string> {
  const id = `${fx.name}-${shards}`;
  let p = built.get(id);
  if (p === undefined) {
    const root = path.join(dir, id);
    p = buildSharded(root, fx.records, { ...fx.options, shards, workers: 2, fsync: false }).then(() => root);
    built.set(id, p);
  }
  return p;
}

for (const shards of [1, 7, 64]) {
  for (const backend of availableBackends()) {
    defineConformance(
      `sharded set of ${shards}, ${backend}`,
      async (_file, fx) => localAdapter(openSync(await setOf(fx, shards), { backend })),
      {
        fileOrder: false,
      },
    );
  }
}
