// Child of close-resources.test.ts, run under `ulimit -n 256`. Scenarios:
//   cycles <file>            5,000 synchronous openSync(file).close() cycles (mmap backend);
//                            prints {"cycles":5000} — EMFILE if close() kept the descriptor.
//   registry <file> <victim> 1,200 readers of <file>, each closed but with a value view
//                            kept alive (their mappings stay mapped), then a fresh reader
//                            of <victim>: a view, the file truncated to 0, the view read
//                            (zeros: the SIGBUS guard still knows that mapping), get()
//                            (ERR_CDB_TRUNCATED); prints one JSON line. SIGBUS if the
//                            guard's registry was full.
import * as fs from 'node:fs';
import { CdbError, openSync } from '@mmcdb/core';

const [scenario, file, victim] = process.argv.slice(2);

if (scenario === 'cycles') {
  let n = 0;
  for (; n < 5000; n++) {
    const db = openSync(file, { backend: 'mmap' });
    if (db.getString('key1') !== 'value 1') throw new Error('bad read');
    db.close();
  }
  console.log(JSON.stringify({ cycles: n }));
} else if (scenario === 'registry') {
  const held = [];
  for (let i = 0; i < 1200; i++) {
    const db = openSync(file, { backend: 'mmap' });
    held.push(db.get(`key${i % 100}`));
    db.close();
  }
  const db = openSync(victim, { backend: 'mmap' });
  const view = db.get('key7');
  const before = view.toString();
  fs.truncateSync(victim, 0);
  const zeros = view.every((b) => b === 0);
  let get;
  try {
    db.get('key8');
    get = 'ok';
  } catch (err) {
    get = err instanceof CdbError ? err.code : String(err);
  }
  const heldOk = held.every((v, i) => v.toString() === `value ${i % 100}`);
  console.log(JSON.stringify({ before, zeros, get, damaged: db.damaged, heldOk }));
}
