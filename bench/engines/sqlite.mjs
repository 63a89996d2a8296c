// better-sqlite3 12.x: WITHOUT ROWID table, prepared statement, .pluck().
import Database from 'better-sqlite3';
import * as fs from 'node:fs';
import { readCdbmake } from '../lib/cdbmake.mjs';

export const store = 'sqlite';

export async function build(src, out) {
  fs.rmSync(out, { force: true });
  const db = new Database(out);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID');
  const ins = db.prepare('INSERT OR IGNORE INTO kv (k, v) VALUES (?, ?)');
  let n = 0;
  db.exec('BEGIN');
  for (const [k, v] of readCdbmake(src)) {
    ins.run(k.latin1Slice(), v);
    if (++n % 100_000 === 0) db.exec('COMMIT; BEGIN');
  }
  db.exec('COMMIT');
  db.close();
  return { records: n };
}

export function open(file) {
  const db = new Database(file, { readonly: true });
  const q = db.prepare('SELECT v FROM kv WHERE k = ?').pluck();
  const all = db.prepare('SELECT v FROM kv').pluck();
  return {
    get: (k) => q.get(k),
    scan(touch) {
      for (const v of all.iterate()) touch(v);
    },
    close: () => db.close(),
  };
}
