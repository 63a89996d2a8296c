// Targets (met / not met) and the verdict of the "mmap, pread or io_uring" section, worked out
// from the per-row summaries of lib/cold-io-report.mjs, so a rerun restates them from its own
// figures. sums: [{ id, valueSize, cold?, one?, warm?, raw: { cold?, one?, warm? } }].
import { pairedRatio, fmtNum, fmtRate } from './stats.mjs';

const URING = ['uring8', 'uring32', 'uring128'];
const ASYNC = ['tp4', 'tp16', 'tp64', ...URING, 'willneed', 'auto', 'pread'];
const STALL_LIMIT_MS = 5;

const rate = (s, id) => s?.[id]?.perSec?.median;
const ratio = (raw, a, b) => (raw ? pairedRatio(raw.rounds, a, b, (x) => x.perSec) : null);
const x = (v) => (Number.isFinite(v) ? `${fmtNum(v)}×` : '–');
const verdictOf = (ok) => (ok === undefined ? '**not measured**' : ok ? '**met**' : '**not met**');
const labelOf = (rows, id) => rows.find((r) => r.id === id)?.label ?? id;

/** The fastest of `ids` in a summary, by median lookups/s. */
function best(s, ids) {
  let top;
  for (const id of ids) if (Number.isFinite(rate(s, id)) && (top === undefined || rate(s, id) > rate(s, top))) top = id;
  return top;
}

export function coldIoTargets(sums, rows) {
  const main = sums[0];
  const L = [];
  const c = main?.cold;
  const auto = c?.auto;
  const autoPath = auto?.paths?.join(', ') ?? '–';
  const vsTp4 = ratio(main?.raw.cold, 'auto', 'tp4')?.median;
  const vsTp16 = ratio(main?.raw.cold, 'auto', 'tp16')?.median;
  const vsSync = ratio(main?.raw.cold, 'auto', 'sync')?.median;
  const f = (v, min) => (Number.isFinite(v) ? v >= min : undefined);
  L.push(
    `- Cold getManyAsync with \`asyncIo: 'auto'\` (took: ${autoPath}) ≥ 2× threadpool(4): ${x(vsTp4)} — ${verdictOf(f(vsTp4, 2))}; ≥ threadpool(16): ${x(vsTp16)} — ${verdictOf(f(vsTp16, 1))}; ≥ 10× the sync loop: ${x(vsSync)} — ${verdictOf(f(vsSync, 10))} (${main?.id}, paired medians).`,
  );
  // Stalls: every getManyAsync row, in every phase and dataset, median of its runs (worst run in brackets).
  const over = [];
  let seen = 0;
  for (const d of sums)
    for (const phase of ['cold', 'one', 'warm'])
      for (const id of ASYNC) {
        const st = d[phase]?.[id]?.stallMs;
        if (!st || !Number.isFinite(st.median)) continue;
        seen++;
        if (st.median >= STALL_LIMIT_MS)
          over.push(`${labelOf(rows, id)} ${phase} ${d.id}: ${fmtNum(st.median, 1)} ms (worst ${fmtNum(st.max, 1)})`);
      }
  L.push(
    `- Longest event-loop stall < ${STALL_LIMIT_MS} ms in every getManyAsync row, the single getManyAsync(${sums[0]?.one ? 'N' : '…'}) call included (${seen} row × phase cells): ${verdictOf(seen ? over.length === 0 : undefined)}${over.length ? `; over: ${over.join('; ')}` : ''}. The sync rows block by construction (their stall is the run).`,
  );
  const w = main?.raw.warm;
  const warmU = URING.map((id) => [id, ratio(w, id, 'getMany')?.median]).filter(([, v]) => Number.isFinite(v));
  L.push(
    `- Warm io_uring within 20 % of warm getMany (≥ 0.8×): ${warmU.length ? warmU.map(([id, v]) => `${labelOf(rows, id)} ${x(v)} — ${verdictOf(v >= 0.8)}`).join('; ') : verdictOf(undefined)}; \`'auto'\` ${x(ratio(w, 'auto', 'getMany')?.median)}.`,
  );
  return L;
}

export function coldIoVerdict(sums, rows) {
  const L = [];
  const main = sums[0];
  const parts = [];
  if (main?.warm) {
    const w = main.warm;
    const top = best(
      w,
      rows.map((r) => r.id),
    );
    parts.push(
      `Warm (${main.id}), the sync mmap loops win: \`get()\` ${fmtRate(rate(w, 'sync'))}/s, \`getMany()\` ${fmtRate(rate(w, 'getMany'))}/s, against getManyAsync on the threadpool ${fmtRate(rate(w, 'tp4'))}/s and on io_uring ${fmtRate(rate(w, best(w, URING)))}/s (best queue depth); fastest row: ${labelOf(rows, top)}. A page-cache hit costs a memory read on mmap, while every async path pays a hand-off per batch and pread a copy.`,
    );
  }
  if (main?.cold) {
    const c = main.cold;
    const topAsync = best(c, ASYNC);
    const topU = best(c, URING);
    parts.push(
      `Cold (${main.id}), the sync loop manages ${fmtRate(rate(c, 'sync'))}/s, one disk wait at a time on the main thread; threadpool(4) ${fmtRate(rate(c, 'tp4'))}/s, threadpool(16) ${fmtRate(rate(c, 'tp16'))}/s, threadpool(64) ${fmtRate(rate(c, 'tp64'))}/s; io_uring ${URING.map((id) => fmtRate(rate(c, id))).join(' / ')}/s at queue depth 8 / 32 / 128; willneed ${fmtRate(rate(c, 'willneed'))}/s; pread ${fmtRate(rate(c, 'pread'))}/s. Fastest: ${labelOf(rows, topAsync)} (${x(c[topAsync]?.vsAnchor?.median)} threadpool(4)); io_uring's best ${topU ? `${x(c[topU]?.vsAnchor?.median)}` : 'not measured'}.`,
    );
  }
  for (const d of sums.slice(1)) {
    if (!d.cold) continue;
    const top = best(
      d.cold,
      rows.map((r) => r.id),
    );
    parts.push(
      `Cold ${d.id}: fastest ${labelOf(rows, top)} at ${fmtRate(rate(d.cold, top))}/s (${x(d.cold[top]?.vsAnchor?.median)} threadpool(4)); sync mmap ${fmtRate(rate(d.cold, 'sync'))}/s, pread ${fmtRate(rate(d.cold, 'pread'))}/s, io_uring best ${fmtRate(rate(d.cold, best(d.cold, URING)))}/s, willneed ${fmtRate(rate(d.cold, 'willneed'))}/s; disk bytes / bytes asked: mmap threadpool ${fmtNum(d.cold.tp4?.diskShare?.median)}, pread ${fmtNum(d.cold.pread?.diskShare?.median)}.`,
    );
  }
  // Where io_uring loses: a phase in which some other getManyAsync path beats its best queue depth.
  const losses = [];
  for (const d of sums)
    for (const phase of ['cold', 'one', 'warm']) {
      const s = d[phase];
      const u = best(s, URING);
      const other = best(
        s,
        ASYNC.filter((id) => !URING.includes(id) && id !== 'auto'),
      );
      if (u && other && rate(s, other) > rate(s, u))
        losses.push(
          `${d.id} ${phase}: ${labelOf(rows, other)} ${fmtRate(rate(s, other))}/s vs io_uring ${fmtRate(rate(s, u))}/s`,
        );
    }
  if (losses.length) parts.push(`io_uring is beaten by another async path in: ${losses.join('; ')}.`);
  L.push(parts.join(' '));
  return L;
}
