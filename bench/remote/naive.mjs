// The naive remote reader the benchmark compares against (what a reader without our
// range planning does, like the AR.IO gateway's CDB64-over-HTTP reader): one request per
// probe slot, then one each for the record header, the key and the value — at least 4
// sequential round trips for a hit. Decoding goes through the same shared codec.
import { mmcdbCodec, xxh64Split } from '@mmcdb/core/internal';

async function range(url, start, end, counter) {
  counter.requests++;
  const res = await fetch(url, { headers: { Range: `bytes=${start}-${end - 1}` } });
  if (res.status !== 206) throw new Error(`naive reader: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  counter.bytes += bytes.length;
  return bytes;
}

export async function naiveOpen(url, counter) {
  counter.requests++;
  const res = await fetch(url, { headers: { Range: 'bytes=0-127' } });
  const head = new Uint8Array(await res.arrayBuffer());
  counter.bytes += head.length;
  const total = Number(res.headers.get('content-range').split('/')[1]);
  return { url, header: mmcdbCodec.decodeHeader(head, total) };
}

/** The first value of `key` (Uint8Array), or undefined. */
export async function naiveGet(db, keyText, counter) {
  const h = db.header;
  const key = new TextEncoder().encode(keyText);
  const hash = xxh64Split(key, h.seed, { hi: 0, lo: 0 });
  const s = { hashHi: 0, hashLo: 0, position: 0 };
  for (let i = mmcdbCodec.homeSlot(hash.hi, h.homeSlots); i < h.indexLength; i++) {
    const at = h.indexOffset + i * 16;
    mmcdbCodec.decodeSlot(await range(db.url, at, at + 16, counter), 0, s);
    if (s.position === 0 || s.hashHi > hash.hi || (s.hashHi === hash.hi && s.hashLo > hash.lo)) return undefined;
    if (s.hashHi !== hash.hi || s.hashLo !== hash.lo) continue;
    mmcdbCodec.checkRecordPosition(s.position, h, at);
    const rec = mmcdbCodec.decodeRecord(await range(db.url, s.position, s.position + 12, counter), 0, s.position, h);
    if (rec.keyLength !== key.length) continue;
    const k = await range(db.url, rec.keyOffset, rec.keyOffset + rec.keyLength, counter);
    if (!k.every((b, j) => b === key[j])) continue;
    return range(db.url, rec.valueOffset, rec.valueOffset + rec.valueLength, counter);
  }
  return undefined;
}
