// The mmcdb goals, checked against this run's numbers. Missed targets say by how much.
import { pairedRatio, summary, fmtNum, fmtRate } from './stats.mjs';
import { extraTargets } from './report-extra.mjs';

const row = (what, goal, got, ok, note = '') =>
  `| ${what} | ${goal} | ${got} | ${ok == null ? 'not measured' : ok ? 'met' : `**missed**${note ? ' — ' + note : ''}`} |`;

export function targets(results) {
  const L = ['## Targets', '', '| target | goal | measured (median) | verdict |', '|---|---|---|---|'];
  const a = results.datasets.find((d) => d.anchor);
  const mm = 'mmcdb-mmap';
  if (a) {
    const tag = `(${a.id})`;
    const hits = summary(a.gets.map((r) => r[mm]?.hits.perSec)).median;
    const has = Number.isFinite(hits);
    const why = a.unavailable[mm] ? `mmap unavailable: ${a.unavailable[mm]}` : a.errors[mm] ? `mmap error: ${a.errors[mm]}` : '';
    const miss = (x, goal) => `${fmtNum((100 * (goal - x)) / goal, 0)} % short`;
    L.push(
      row(
        `hot random hits, mmap ${tag}`,
        '≥ 1.5M/s',
        has ? `${fmtRate(hits)}/s` : why,
        has ? hits >= 1.5e6 : null,
        has ? miss(hits, 1.5e6) : '',
      ),
    );
    for (const [anchor, goal, name] of [
      ['lmdb-get', 4, 'lmdb-js get'],
      ['map', 1.3, 'JS Map'],
      ['tinycdb', 0.75, 'tinycdb C'],
    ]) {
      const r = pairedRatio(a.gets, mm, anchor, (x) => x.hits?.perSec);
      L.push(
        row(
          `hits vs ${name} ${tag}`,
          `≥ ${goal}×`,
          r ? `${fmtNum(r.median)}× (${fmtNum(r.min)}–${fmtNum(r.max)})` : why || 'anchor unavailable',
          r ? r.median >= goal : null,
          r ? miss(r.median, goal) : '',
        ),
      );
    }
    const misses = summary(a.gets.map((r) => r[mm]?.misses.perSec)).median;
    L.push(
      row(
        `hot random misses, mmap ${tag}`,
        '≥ 3.5M/s',
        Number.isFinite(misses) ? `${fmtRate(misses)}/s` : why,
        Number.isFinite(misses) ? misses >= 3.5e6 : null,
        Number.isFinite(misses) ? miss(misses, 3.5e6) : '',
      ),
    );
  }
  // Issue 16 (per-call overhead): ratios per round against tinycdb C, JS Map and lmdb-js
  // get, warm, on 1m-100b and 10m-100b (where those anchors run).
  for (const d of results.datasets.filter((x) => x.id === '1m-100b' || x.id === '10m-100b')) {
    for (const [anchor, kind, goal, name] of [
      ['tinycdb', 'hits', 0.9, 'tinycdb C'],
      ['tinycdb', 'misses', 0.8, 'tinycdb C'],
      ['map', 'hits', 1.8, 'JS Map'],
      ['lmdb-get', 'hits', 4.5, 'lmdb-js get'],
    ]) {
      if (!d.engines.includes(anchor)) continue;
      const r = pairedRatio(d.gets, mm, anchor, (x) => x[kind]?.perSec);
      L.push(
        row(
          `${kind} vs ${name}, mmap (${d.id}, issue 16)`,
          `≥ ${goal}×`,
          r ? `${fmtNum(r.median)}× (${fmtNum(r.min)}–${fmtNum(r.max)})` : 'not measured',
          r ? r.median >= goal : null,
          r ? `${fmtNum((100 * (goal - r.median)) / goal, 0)} % short` : '',
        ),
      );
    }
  }
  const b = results.datasets.find((d) => d.buildTarget) ?? a;
  if (b) {
    const m = b.builds.mmcdb;
    const t = b.builds.tinycdb;
    const tag = `(${b.id})`;
    if (b.buildRatio) {
      const r = b.buildRatio;
      L.push(
        row(
          `build time vs \`cdb -c\` ${tag}`,
          '≤ 2×',
          `${fmtNum(r.median)}× (${fmtNum(r.min)}–${fmtNum(r.max)}, ${r.runs} alternating pairs; medians ${fmtNum(m.wallSeconds)} s vs ${fmtNum(t.wallSeconds)} s)`,
          r.median <= 2,
          `${fmtNum(r.median / 2)}× over the limit`,
        ),
      );
    } else if (m?.wallSeconds != null && t?.wallSeconds != null) {
      const ratio = m.wallSeconds / t.wallSeconds;
      L.push(
        row(
          `build time vs \`cdb -c\` ${tag}`,
          '≤ 2×',
          `${fmtNum(m.wallSeconds)} s vs ${fmtNum(t.wallSeconds)} s = ${fmtNum(ratio)}×`,
          ratio <= 2,
          `${fmtNum(ratio / 2)}× over the limit`,
        ),
      );
    } else
      L.push(
        row(`build time vs \`cdb -c\` ${tag}`, '≤ 2×', m?.error ?? m?.unavailable ?? t?.unavailable ?? t?.error ?? '–', null),
      );
    if (m?.maxRssKiB) {
      const limit = 64 * 2 ** 20 + 32 * b.records;
      const got = m.maxRssKiB * 1024;
      L.push(
        row(
          `build peak RSS ${tag}`,
          `≤ 64 MiB + 32 B/record = ${fmtNum(limit / 2 ** 20, 0)} MiB`,
          `${fmtNum(got / 2 ** 20, 0)} MiB (${fmtNum((got - 64 * 2 ** 20) / b.records, 1)} B/record over 64 MiB)`,
          got <= limit,
          `${fmtNum((got - limit) / 2 ** 20, 0)} MiB over`,
        ),
      );
    }
  }
  const big = results.big?.results?.['mmap-warm-preloaded'] ?? results.big?.results?.['mmap-warm'];
  const bigCold = results.big?.results?.['mmap-cold-preloaded'] ?? results.big?.results?.['mmap-cold'];
  const bigFirst = results.big?.results?.['mmap-warm'];
  if (results.big) {
    const ok = big?.openToFirstGetMs != null;
    L.push(
      row(
        'open + first get, 10 GiB file, mmap (warm, addon loaded)',
        '< 1 ms',
        ok ? `${fmtNum(big.openToFirstGetMs, 3)} ms` : (results.big.skipped ?? big?.unavailable ?? big?.error ?? '–'),
        ok ? big.openToFirstGetMs < 1 : null,
        ok ? `${fmtNum(big.openToFirstGetMs, 2)} ms` : '',
      ),
    );
    if (bigFirst?.openToFirstGetMs != null && bigFirst !== big)
      L.push(
        row(
          'open + first get, 10 GiB, mmap, first open in the process (incl. addon load)',
          '< 1 ms',
          `${fmtNum(bigFirst.openToFirstGetMs, 3)} ms`,
          bigFirst.openToFirstGetMs < 1,
          'addon load',
        ),
      );
    if (bigCold?.openToFirstGetMs != null)
      L.push(
        row(
          'open + first get, 10 GiB file, mmap (cold, addon loaded)',
          '< 1 ms',
          `${fmtNum(bigCold.openToFirstGetMs, 3)} ms`,
          bigCold.openToFirstGetMs < 1,
          'disk latency',
        ),
      );
  }
  L.push(...extraTargets(results));
  return L;
}
