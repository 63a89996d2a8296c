// Streaming parser for the cdbmake format (`+klen,dlen:key->data\n` … `\n`).
// Yields [key, value] as Buffer views of the read chunk. By default every chunk is a fresh Buffer,
// so consumers may keep the views (lmdb and level batch them); with { reuse: true } one buffer is
// reused and the views are valid only until the next record — for consumers that copy at once
// (mmcdb's writer.add, Map's Buffer.from, sqlite's run), so the parser's garbage does not
// inflate the build's peak RSS.
import * as fs from 'node:fs';

const CHUNK = 8 << 20;

export function* readCdbmake(file, { reuse = false } = {}) {
  const fd = fs.openSync(file, 'r');
  try {
    let buf = Buffer.alloc(0);
    let backing = reuse ? Buffer.allocUnsafe(CHUNK) : null;
    let pos = 0;
    let eof = false;
    // Ensures `need` bytes are available from pos; returns false at end of file.
    const fill = (need) => {
      while (buf.length - pos < need && !eof) {
        const rest = buf.length - pos;
        let next;
        if (reuse && backing.length >= need + rest) next = backing;
        else {
          next = Buffer.allocUnsafe(Math.max(CHUNK, 2 * (need + rest)));
          if (reuse) backing = next;
        }
        buf.copy(next, 0, pos); // Buffer#copy handles the overlap when next is buf's own backing
        const n = fs.readSync(fd, next, rest, next.length - rest, null);
        if (n === 0) eof = true;
        buf = next.subarray(0, rest + n);
        pos = 0;
      }
      return buf.length - pos >= need;
    };
    const num = (end) => {
      let v = 0;
      for (;;) {
        if (!fill(1)) throw new Error('cdbmake: truncated input');
        const c = buf[pos++];
        if (c === end) return v;
        if (c < 0x30 || c > 0x39) throw new Error(`cdbmake: bad byte ${c} in a length`);
        v = v * 10 + (c - 0x30);
      }
    };
    for (;;) {
      if (!fill(1)) throw new Error('cdbmake: missing final newline');
      const c = buf[pos++];
      if (c === 0x0a) return;
      if (c !== 0x2b) throw new Error('cdbmake: expected +');
      const klen = num(0x2c);
      const dlen = num(0x3a);
      if (!fill(klen + dlen + 3)) throw new Error('cdbmake: truncated record');
      const key = buf.subarray(pos, pos + klen);
      pos += klen + 2; // key, '->'
      const value = buf.subarray(pos, pos + dlen);
      pos += dlen;
      if (buf[pos++] !== 0x0a) throw new Error('cdbmake: expected newline after record');
      yield [key, value];
    }
  } finally {
    fs.closeSync(fd);
  }
}
