// Small horizontal bar charts as SVG (no chart library): one bar per row, min–max whisker, value label.
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** rows: [{ label, value, min?, max?, text?, highlight? }]; groups of rows may carry a `group` heading. */
export function barChart({ title, unit, rows, width = 760 }) {
  const labelW = 210;
  const barH = 18;
  const gap = 6;
  const top = 40;
  const plotW = width - labelW - 110;
  const max = Math.max(1e-9, ...rows.map((r) => Math.max(r.value || 0, r.max || 0)));
  const x = (v) => labelW + (Math.max(0, v) / max) * plotW;
  let y = top;
  const parts = [];
  for (const r of rows) {
    if (r.group) {
      parts.push(`<text x="8" y="${y + 13}" font-weight="bold">${esc(r.group)}</text>`);
      y += barH + gap;
      continue;
    }
    const ok = Number.isFinite(r.value);
    parts.push(`<text x="${labelW - 8}" y="${y + 13}" text-anchor="end">${esc(r.label)}</text>`);
    if (ok) {
      const fill = r.highlight ? '#d9480f' : '#4c6ef5';
      parts.push(`<rect x="${labelW}" y="${y}" width="${(x(r.value) - labelW).toFixed(1)}" height="${barH}" fill="${fill}"/>`);
      if (Number.isFinite(r.min) && Number.isFinite(r.max) && r.max > r.min) {
        const cy = y + barH / 2;
        parts.push(
          `<path d="M${x(r.min).toFixed(1)} ${cy}H${x(r.max).toFixed(1)}M${x(r.min).toFixed(1)} ${cy - 4}v8M${x(r.max).toFixed(1)} ${cy - 4}v8" stroke="#111" fill="none"/>`,
        );
      }
    }
    const label = ok ? (r.text ?? r.value.toPrecision(3)) : (r.text ?? 'unavailable');
    parts.push(`<text x="${(ok ? Math.max(x(r.value), x(r.max || 0)) : labelW) + 6}" y="${y + 13}">${esc(label)}</text>`);
    y += barH + gap;
  }
  const h = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${h}" viewBox="0 0 ${width} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="8" y="22" font-size="15" font-weight="bold">${esc(title)}</text>`,
    ...parts,
    `<text x="${width - 8}" y="${h - 8}" text-anchor="end" fill="#555">${esc(unit)} — bar: median, whisker: min–max</text>`,
    '</svg>',
    '',
  ].join('\n');
}
