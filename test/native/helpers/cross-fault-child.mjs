// Child of cross-fault.test.ts. Database A's file is truncated while a view of one of
// its values is alive; that view is then used as a KEY on database B (get, getAll,
// has, getMany, getManyAsync, through @mmcdb/core and the addon directly). The fault
// is A's memory: B must stay undamaged and usable, and the error must name A (or say
// that the key's memory faulted). Prints one JSON object. argv: <A> <B> <native index.js>
import * as fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CdbError, openSync } from '@mmcdb/core';

const [fileA, fileB, nativeIndex] = process.argv.slice(2);
const native = (await import(pathToFileURL(nativeIndex).href)).default;

const A = openSync(fileA, { backend: 'mmap' });
const B = openSync(fileB, { backend: 'mmap' });
const rawB = native.open(fileB);
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
out.bDamagedAfterGet = B.damaged;
out.getAll = describe(() => B.getAll(view));
out.has = describe(() => B.has(view));
out.getMany = describe(() => B.getMany(['key1', view, 'key2']));
out.getManyAsync = await B.getManyAsync([view]).then(
  () => ({ ok: 'resolved' }),
  (err) => ({
    cls: err instanceof CdbError ? 'CdbError' : err?.constructor?.name,
    code: err?.code,
    path: err?.path,
    message: err?.message,
  }),
);
out.rawGet = describe(() => rawB.get(view));
out.rawGetMany = describe(() => rawB.getMany([view], new Float64Array(2)));
out.bDamaged = B.damaged;
out.rawBDamaged = rawB.damaged();
out.bStillWorks = describe(() => B.getString('key1')).ok ?? 'threw';
out.bGetMany =
  describe(() =>
    B.getMany(['key1', 'key2'])
      .map((v) => v?.toString())
      .join(),
  ).ok ?? 'threw';
out.aDamaged = A.damaged;
console.log(JSON.stringify(out));
