// Targets (met / not met) and the verdict of the "mmap, pread or io_uring" section, worked out
// from the per-row summaries of lib/cold-io-report.mjs, so a rerun restates them from its own
// figures. sums: [{ id, valueSize, cold?, one?, warm?, raw: { cold?, one?, warm? } }].
import { fmtNum, fmtRate, pairedRatio } from './stats.mjs';

const URING = ['uring8', 'uring32', 'uring128', 'uring256'];
const POOLS = ['tp4', 'tp16', 'tp64'];
const ASYNC = [...POOLS, ...URING, 'willneed', 'auto', 'pread'];
const STALL_LIMIT_MS = 5;

const rate = (s, id) => s?.[id]?.perSec?.median;
const cpu = (s, id) => s?.[id]?.cpuUsPerLookup?.median;
const ratio = (raw, a, b) => (raw ? pairedRatio(raw.rounds, a, b, (x) => x.perSec)?.median : undefined);
const x = (v) => (Number.isFinite(v) ? `${fmtNum(v)}×` : '–');
const r = (s, id) => `${fmtRate(rate(s, id))}/s`;
const verdictOf = (ok) => (ok === undefined ? '**not measured**' : ok ? '**met**' : '**not met**');
const labelOf = (rows, id) => rows.find((row) => row.id === id)?.label ?? id;
const has = (s, id) => Number.isFinite(rate(s, id));

/** The fastest of `ids` in a summary, by median lookups/s. */
function best(s, ids) {
  let top;
  for (const id of ids) if (has(s, id) && (top === undefined || rate(s, id) > rate(s, top))) top = id;
  return top;
}

export function coldIoTargets(sums, rows) {
  const main = sums[0];
  const L = [];
  const autoPath = main?.cold?.auto?.paths?.join(', ') ?? '–';
  const vsTp4 = ratio(main?.raw.cold, 'auto', 'tp4');
  const vsTp16 = ratio(main?.raw.cold, 'auto', 'tp16');
  const vsSync = ratio(main?.raw.cold, 'auto', 'sync');
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
        if (st.median >= STALL_LIMIT_MS) {
          const idle = d[phase][id].idleStallMs?.median;
          over.push(`${labelOf(rows, id)}, ${phase} ${d.id}: ${fmtNum(st.median, 1)} ms (idle loop ${fmtNum(idle, 1)})`);
        }
      }
  L.push(
    `- Longest event-loop stall < ${STALL_LIMIT_MS} ms in every getManyAsync row, the single getManyAsync(${main?.one ? (main.raw.one?.rounds[0]?.tp4?.n ?? 'N').toLocaleString('en-US') : '…'}) call included (${seen} row × phase cells, medians of the runs): ${verdictOf(seen ? over.length === 0 : undefined)}${over.length ? `; ${over.length} over: ${over.join('; ')}` : ''}. The sync rows block by construction (their stall is the whole run).`,
  );
  const w = main?.raw.warm;
  const warmU = URING.map((id) => [id, ratio(w, id, 'getMany')]).filter(([, v]) => Number.isFinite(v));
  L.push(
    `- Warm io_uring within 20 % of warm getMany (≥ 0.8×, paired): ${warmU.length ? warmU.map(([id, v]) => `${labelOf(rows, id)} ${x(v)} — ${verdictOf(v >= 0.8)}`).join('; ') : verdictOf(undefined)}; \`'auto'\` ${x(ratio(w, 'auto', 'getMany'))}, threadpool(4) ${x(ratio(w, 'tp4', 'getMany'))}.`,
  );
  return L;
}

/** When mmap, when pread, when io_uring: sentences built from this run's medians. */
export function coldIoVerdict(sums, rows) {
  const main = sums[0];
  const parts = [];
  const w = main?.warm;
  if (w) {
    const topAsync = best(w, ASYNC);
    parts.push(
      `${Math.max(rate(w, 'getMany') ?? 0, rate(w, 'sync') ?? 0) > (rate(w, topAsync) ?? 0) ? '**mmap, synchronously, when the data is in the page cache.**' : `**Warm, an async path led** (${labelOf(rows, topAsync)}).`} Warm (${main.id}), \`getMany()\` on the mapping reads ${r(w, 'getMany')} (${fmtNum(cpu(w, 'getMany'), 1)} µs CPU a lookup) and the \`get()\` loop ${r(w, 'sync')}; the best getManyAsync path (${labelOf(rows, topAsync)}) ${r(w, topAsync)} at ${fmtNum(cpu(w, topAsync), 1)} µs, the pread backend ${r(w, 'pread')} at ${fmtNum(cpu(w, 'pread'), 1)} µs: a resident page costs mmap a memory read, pread a system call and a copy, an async path a hand-off per batch.`,
    );
  }
  const c = main?.cold;
  if (c) {
    const topU = best(c, URING);
    const topAsync = best(c, ASYNC);
    parts.push(
      `**Never the sync loop on cold data.** Cold (${main.id}) the \`get()\` loop waits for one page at a time on the main thread: ${r(c, 'sync')}, the loop blocked for the whole run (${fmtNum(c.sync?.stallMs?.median / 1000, 1)} s), ${fmtNum(c.sync?.majorFaultsPerLookup?.median)} major faults a lookup taken on the main thread. getManyAsync keeps many reads in flight: threadpool 4 / 16 / 64 threads ${POOLS.map((id) => fmtRate(rate(c, id))).join(' / ')}/s${topU ? `, io_uring at queue depth 8 / 32 / 128 / 256 ${URING.map((id) => fmtRate(rate(c, id))).join(' / ')}/s` : ''}${has(c, 'willneed') ? `, willneed ${r(c, 'willneed')}` : ''}; fastest ${labelOf(rows, topAsync)}, ${x(ratio(main.raw.cold, topAsync, 'tp4'))} threadpool(4) and ${x(ratio(main.raw.cold, topAsync, 'sync'))} the sync loop. Every path reads the same ${fmtNum(c.tp4?.diskShare?.median, 0)}× the value bytes from the disk (a 4 KiB index page and a 4 KiB data page per 100-byte value), so the difference is only how many reads wait at once and what each costs in CPU (${ASYNC.filter(
        (id) => has(c, id) && id !== 'pread',
      )
        .map((id) => `${id} ${fmtNum(cpu(c, id), 1)}`)
        .join(', ')} µs a lookup).`,
    );
  }
  // Is the disk the limit? The best cold path against the device's best raw rate (lookups it allows).
  if (c && main?.device) {
    const med = (id) => {
      const xs = main.device.rounds
        .map((round) => round[id]?.iops)
        .filter(Number.isFinite)
        .sort((a, b) => a - b);
      return xs.length ? xs[(xs.length - 1) >> 1] : Number.NaN;
    };
    const perLookup = c.sync?.majorFaultsPerLookup?.median || 1.8;
    const rawTop = main.device.rows.map((row) => [row, med(row.id)]).sort((a, b) => (b[1] || 0) - (a[1] || 0))[0];
    const topAsync = best(c, ASYNC);
    const allow = rawTop[1] / perLookup;
    if (Number.isFinite(allow) && topAsync)
      parts.push(
        `**The disk sets the cold ceiling.** With no database at all, this file gives ${fmtRate(rawTop[1])} random 4 KiB reads/s at best (${rawTop[0].label}), ≈ ${fmtRate(allow)} lookups/s at ${fmtNum(perLookup, 1)} pages a lookup: ${x(allow / rate(c, 'tp4'))} threadpool(4)'s rate; the fastest path reached ${r(c, topAsync)}, ${fmtNum((100 * rate(c, topAsync)) / allow, 0)} % of that ceiling, so ${allow / rate(c, 'tp4') < 2 ? 'no path could reach 2× threadpool(4) on this disk' : 'there is room above threadpool(4)'}.`,
      );
  }
  for (const d of sums.slice(1)) {
    const s = d.cold;
    if (!s) continue;
    const top = best(s, ASYNC);
    const topU = best(s, URING);
    parts.push(
      `Cold ${d.id}: fastest ${labelOf(rows, top)} ${r(s, top)} (${x(ratio(d.raw.cold, top, 'tp4'))} threadpool(4))${topU ? `, io_uring ${r(s, topU)} at its best queue depth` : ''}${has(s, 'willneed') ? `, willneed ${r(s, 'willneed')}` : ''}; the sync mmap loop ${r(s, 'sync')} (${fmtNum(s.sync?.majorFaultsPerLookup?.median, 0)} major faults a value: under MADV_RANDOM each 4 KiB page is its own disk read), the pread backend's getManyAsync ${r(s, 'pread')} (${x(ratio(d.raw.cold, 'pread', 'sync'))} the sync mmap loop: fs.read on libuv's threadpool, a slot run, a record and the rest of a value each a read, with the kernel's read-ahead, which also makes it read ${fmtNum(s.pread?.diskShare?.median)}× the bytes asked against ${fmtNum(s.tp4?.diskShare?.median)}× through the mapping).`,
    );
  }
  // pread against the async mmap paths, phase by phase.
  const preadWins = [];
  let preadSeen = 0;
  for (const d of sums)
    for (const phase of ['cold', 'one', 'warm']) {
      const s = d[phase];
      const other = best(
        s,
        ASYNC.filter((id) => id !== 'pread'),
      );
      if (!has(s, 'pread') || !other) continue;
      preadSeen++;
      if (rate(s, 'pread') > rate(s, other)) preadWins.push(`${d.id} ${phase} (${r(s, 'pread')} vs ${r(s, other)})`);
    }
  if (preadSeen)
    parts.push(
      preadWins.length
        ? `**pread** beat every async mmap path in: ${preadWins.join('; ')}.`
        : `**pread** is for where no mapping is possible: it beat no async mmap path in any of the ${preadSeen} phases. Its getManyAsync reads synchronously while reads come back from the page cache (at most 1 ms of a loop turn), and through libuv's threadpool once the disk shows (at most 2 × UV_THREADPOOL_SIZE queued): warm ${r(sums[0]?.warm, 'pread')} at ${fmtNum(cpu(sums[0]?.warm, 'pread'), 1)} µs CPU a lookup (a system call and a copy a read), cold ${r(sums[0]?.cold, 'pread')} at ${fmtNum(cpu(sums[0]?.cold, 'pread'), 1)} µs against ${fmtNum(cpu(sums[0]?.cold, 'tp4'), 1)} for the mapping's threadpool path (each read a trip through the pool, each cold read the kernel's read-ahead).`,
    );
  // Where io_uring loses: a phase in which another getManyAsync path beats its best queue depth.
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
          `${d.id} ${phase === 'one' ? 'one call' : phase}: ${labelOf(rows, other)} ${r(s, other)} vs io_uring ${r(s, u)} (CPU ${fmtNum(cpu(s, other), 1)} vs ${fmtNum(cpu(s, u), 1)} µs a lookup)`,
        );
    }
  if (losses.length) {
    parts.push(`**io_uring loses** to another async path in: ${losses.join('; ')}.`);
    // Why. Cold with batches: a margin inside the noise when every path is at the disk's ceiling;
    // at a low queue depth and warm, the walk on the JS thread (its CPU per lookup says so).
    const uTop = best(c, URING);
    const oTop = best(
      c,
      ASYNC.filter((id) => !URING.includes(id) && id !== 'auto' && id !== 'pread'),
    );
    if (uTop && oTop)
      parts.push(
        rate(c, uTop) >= 0.9 * rate(c, oTop)
          ? `Cold with batches (${main.id}) its margin is small (${labelOf(rows, uTop)} ${r(c, uTop)} against ${r(c, oTop)}, ${fmtNum((100 * rate(c, uTop)) / rate(c, oTop), 0)} %): with enough reads queued every path is held by the disk.`
          : `Cold with batches (${main.id}) it reaches ${r(c, uTop)} at best against ${r(c, oTop)}.`,
      );
    const wU = best(w, URING);
    if (has(c, 'uring8'))
      parts.push(
        `Where it loses clearly, the cause is its walk: every key is walked on the JS thread (residency known per 512 KiB chunk, a read queued where pages are missing, the next step only when that completion is reaped), so a lookup's two dependent reads each wait for the event loop to run again — at queue depth 8 it reads ${r(c, 'uring8')} at ${fmtNum(cpu(c, 'uring8'), 1)} µs CPU a lookup (willneed ${fmtNum(cpu(c, 'willneed'), 1)} µs), and a single getManyAsync(${(main.raw.one?.rounds[0]?.tp4?.n ?? 0).toLocaleString('en-US')}) keeps the loop ${fmtNum(main.one?.[best(main.one, URING)]?.stallMs?.median, 1)} ms at its best queue depth against ${fmtNum(main.one?.willneed?.stallMs?.median, 1)} ms for willneed.${wU ? ` Warm, the same walk costs ${fmtNum(cpu(w, wU), 1)} µs a lookup against ${fmtNum(cpu(w, 'getMany'), 1)} for getMany and ${fmtNum(cpu(w, 'willneed'), 1)} for willneed: all of it on the main thread (groups of 16 keys with prefetching, as getMany's; the residency map costs little, the walk's own steps and the async hand-off the rest).` : ''}`,
      );
  } else if (sums.some((d) => best(d.cold, URING)))
    parts.push('io_uring at its best queue depth led every async phase measured.');
  // What 'auto' should try first here. 'auto' cannot pick a pool size (UV_THREADPOOL_SIZE is
  // the process's), so its candidates are the threadpool at the default 4, willneed, and
  // io_uring at its best queue depth: the geometric mean of each one's ratio to threadpool(4)
  // over every cold phase (each dataset's batches and the single call).
  const cand = { threadpool: ['tp4'], willneed: ['willneed'], uring: URING };
  const logs = { threadpool: [], willneed: [], uring: [] };
  const coldLogs = { threadpool: [], willneed: [], uring: [] };
  for (const d of sums)
    for (const phase of ['cold', 'one', 'warm']) {
      const s = d[phase];
      if (!has(s, 'tp4')) continue;
      for (const [path, ids] of Object.entries(cand)) {
        const top = best(s, ids);
        if (!top) continue;
        logs[path].push(Math.log(rate(s, top) / rate(s, 'tp4')));
        if (phase !== 'warm') coldLogs[path].push(Math.log(rate(s, top) / rate(s, 'tp4')));
      }
    }
  const mean = (o) =>
    Object.entries(o)
      .filter(([, xs]) => xs.length)
      .map(([path, xs]) => [path, Math.exp(xs.reduce((a, b) => a + b, 0) / xs.length), xs.length])
      .sort((a, b) => b[1] - a[1]);
  const gm = mean(logs);
  const gmCold = mean(coldLogs);
  if (gm.length)
    parts.push(
      `**What 'auto' should choose here:** ${
        gm[1] && gm[0][1] / gm[1][1] < 1.05
          ? `\`${gm[0][0]}\` or \`${gm[1][0]}\`, a tie within 5 % (CPU a cold lookup on ${main?.id}: ${gm
              .slice(0, 2)
              .map(
                ([path]) =>
                  `${path} ${fmtNum(cpu(c, path === 'threadpool' ? 'tp4' : path === 'uring' ? best(c, URING) : path), 1)} µs`,
              )
              .join(', ')})`
          : `\`${gm[0][0]}\``
      } — against threadpool(4), geometric mean of the medians over all ${gm[0][2]} phases: ${gm.map(([path, g]) => `${path} ${x(g)}`).join(', ')}; over the ${gmCold[0]?.[2] ?? 0} cold ones alone: ${gmCold.map(([path, g]) => `${path} ${x(g)}`).join(', ')}; 'auto' took ${[...new Set(sums.flatMap((d) => d.cold?.auto?.paths ?? []))].join(', ') || '–'} in this run. A wider pool is the user's call (UV_THREADPOOL_SIZE), not auto's: threadpool(16) ${x(ratio(main?.raw.cold, 'tp16', 'tp4'))} and threadpool(64) ${x(ratio(main?.raw.cold, 'tp64', 'tp4'))} threadpool(4) cold on ${main?.id}, at ${fmtNum(cpu(c, 'tp64'), 1)} µs CPU a lookup for 64 threads against ${fmtNum(cpu(c, 'tp4'), 1)} for 4.`,
    );
  // The machine's noise: the idle-loop stall, next to the stall target.
  const idle = sums.flatMap((d) =>
    ['cold', 'one', 'warm'].flatMap((p) => ASYNC.map((id) => d[p]?.[id]?.idleStallMs?.median).filter(Number.isFinite)),
  );
  if (idle.length) {
    idle.sort((a, b) => a - b);
    parts.push(
      `Stalls are to be read against the idle loop: the same probe over an idle loop in the same processes read a median of ${fmtNum(idle[(idle.length - 1) >> 1], 1)} ms (up to ${fmtNum(idle[idle.length - 1], 1)} ms), the 2 vCPUs being shared with other work during this run.`,
    );
  }
  return [parts.join(' ')];
}
