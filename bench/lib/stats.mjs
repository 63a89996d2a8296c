// Medians with min/max, and ratios computed pair by pair (same round) before taking the median.
export function median(xs) {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export function summary(xs) {
  const s = xs.filter((x) => Number.isFinite(x));
  return { median: median(s), min: Math.min(...s), max: Math.max(...s), n: s.length };
}
/** rounds: [{ engineId: result }], pick(result) → number; ratio of a to b per round, then median. */
export function pairedRatio(rounds, a, b, pick) {
  const r = [];
  for (const round of rounds) {
    const x = round[a] && pick(round[a]);
    const y = round[b] && pick(round[b]);
    if (Number.isFinite(x) && Number.isFinite(y) && y > 0) r.push(x / y);
  }
  return r.length ? summary(r) : null;
}
export const fmtRate = (x) => (Number.isFinite(x) ? (x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : `${(x / 1e3).toFixed(1)}k`) : '–');
export const fmtNum = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '–');
export const fmtBytes = (b) =>
  !Number.isFinite(b)
    ? '–'
    : b >= 2 ** 30
      ? `${(b / 2 ** 30).toFixed(2)} GiB`
      : b >= 2 ** 20
        ? `${(b / 2 ** 20).toFixed(1)} MiB`
        : `${(b / 1024).toFixed(1)} KiB`;
