// Child of shards.test.ts. As cross-fault-child.mjs, on a sharded set: database A's file
// is truncated while a view of one of its values is alive, and that view is used as a
// KEY on set B (mmap: the native set index routes it). The index must hand such a key
// back (it cannot read it), and the shard's engine report the fault naming A; B stays
// usable. Prints one JSON object. argv: <A> <set B>
import * as fs from 'node:fs';
import { CdbError, openSync } from '@mmcdb/core';

const [fileA, setB] = process.argv.slice(2);
const A = openSync(fileA, { backend: 'mmap' });
const B = openSync(setB, { backend: 'mmap' });
B.getMany(Array.from({ length: 200 }, (_, i) => `key${i}`)); // every shard open, so attached to the index
const view = A.get('key7'); // a view of A's mapping
if (view.toString() !== 'value 7') throw new Error('bad A');
fs.truncateSync(fileA, 0);

const describe = (fn) => {
  try {
    const r = fn();
    return { ok: r === undefined ? null : typeof r === 'object' ? 'object' : r };
  } catch (err) {
    return {
      cls: err instanceof CdbError ? 'CdbError' : err?.constructor?.name,
      code: err?.code,
      path: err?.path,
      message: err?.message,
    };
  }
};

const out = {};
out.get = describe(() => B.get(view));
out.has = describe(() => B.has(view));
out.getMany = describe(() => B.getMany(['key1', view, 'key2']));
out.bDamaged = B.damaged;
out.bStillWorks = describe(() => B.getString('key1')).ok ?? 'threw';
out.bGetMany =
  describe(() =>
    B.getMany(['key1', 'key2'])
      .map((v) => v?.toString())
      .join(),
  ).ok ?? 'threw';
console.log(JSON.stringify(out));
