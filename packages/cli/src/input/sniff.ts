// Input that is plainly something else than cdbmake, recognised from its first bytes, so
// that the error says what to do instead: JSON (-i jsonl / -i json), or a database fed to
// `cdb build` (cdb convert copies and converts databases).

const MMCDB_MAGIC = [0x89, 0x4d, 0x4d, 0x43, 0x44, 0x42]; // "\x89MMCDB" (FORMAT.md §Header)
const CLASSIC_TOC = 2048;

/** 'mmcdb' or 'classic' when `head` (the first bytes of the input) is the start of such a database. */
export function sniffDatabase(head: Uint8Array): 'mmcdb' | 'classic' | undefined {
  if (head.length >= MMCDB_MAGIC.length && MMCDB_MAGIC.every((b, i) => head[i] === b)) return 'mmcdb';
  if (head.length < CLASSIC_TOC) return undefined;
  // CLASSIC.md: 256 (position, slots) u32 pairs; the tables follow the records back to back,
  // so each table starts where the one before ends: no text satisfies that 255 times.
  const view = new DataView(head.buffer, head.byteOffset, CLASSIC_TOC);
  let pos = view.getUint32(0, true);
  if (pos < CLASSIC_TOC) return undefined;
  for (let t = 0; t < 255; t++) {
    const next = pos + 8 * view.getUint32(t * 8 + 4, true);
    if (view.getUint32((t + 1) * 8, true) !== next) return undefined;
    pos = next;
  }
  return 'classic';
}

/** The advice for cdbmake input that does not start with '+': JSON, most of the time. */
export function startHint(head: Uint8Array): string {
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x09 || head[i] === 0x0d || head[i] === 0x0a)) i++;
  if (head[i] === 0x7b || (head[i] === 0xef && head[i + 1] === 0xbb && head[i + 2] === 0xbf && head[i + 3] === 0x7b)) {
    return '; this looks like JSON: give -i jsonl for one {"key":…,"value":…} object per line, or -i json for one object';
  }
  return '';
}
