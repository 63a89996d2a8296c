// A deterministic, realistic static-asset folder: ~200 small text files (1–20 KB html, css, js,
// svg, json) in a few folders, plus a few large ones (100 KB–1 MB: JS bundles, a JSON dump, and
// incompressible images/fonts). And a copy with .br/.gz siblings for sirv's precompressed mode.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { mix32 } from '../lib/dataset.mjs';

const WORDS = (
  'the of and to in is for on that with as by this be are from at or an it not have will can all your more one about ' +
  'page user data item list value state render component button header footer layout grid flex color margin padding ' +
  'border width height font size weight display none block inline absolute relative function return const let var if else ' +
  'import export default async await promise fetch request response error message title content section article nav ' +
  'container wrapper primary secondary active disabled hidden visible index app main module config option settings'
).split(' ');

function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}
const pick = (r, a) => a[r() % a.length];
const words = (r, n) => Array.from({ length: n }, () => pick(r, WORDS)).join(' ');
const ident = (r) => pick(r, WORDS) + pick(r, WORDS).replace(/^./, (c) => c.toUpperCase()) + (r() % 100);

const GEN = {
  html(r, size) {
    let s = `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>${words(r, 4)}</title>\n<link rel="stylesheet" href="/css/site.css">\n</head>\n<body>\n`;
    while (s.length < size)
      s += `<section class="${ident(r)}">\n  <h2>${words(r, 3)}</h2>\n  <p>${words(r, 20 + (r() % 40))}</p>\n  <a href="/${pick(r, WORDS)}/${ident(r)}.html">${words(r, 2)}</a>\n</section>\n`;
    return s + '</body>\n</html>\n';
  },
  css(r, size) {
    let s = '';
    while (s.length < size)
      s += `.${ident(r)} .${ident(r)} {\n  ${pick(r, ['margin', 'padding', 'border-width'])}: ${r() % 32}px ${r() % 16}px;\n  color: #${(r() & 0xffffff).toString(16).padStart(6, '0')};\n  display: ${pick(r, ['flex', 'grid', 'block', 'inline-block', 'none'])};\n}\n`;
    return s;
  },
  js(r, size) {
    let s = '"use strict";\n';
    while (s.length < size)
      s += `export function ${ident(r)}(${ident(r)}, ${ident(r)}) {\n  const ${ident(r)} = ${ident(r)}.${ident(r)}(${r() % 1000});\n  if (${ident(r)} > ${r() % 100}) return "${words(r, 4)}";\n  return ${ident(r)}.map((x) => x * ${r() % 10});\n}\n`;
    return s;
  },
  svg(r, size) {
    let s = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">\n';
    while (s.length < size)
      s += `  <path d="M${r() % 512} ${r() % 512}L${r() % 512} ${r() % 512}C${r() % 512} ${r() % 512} ${r() % 512} ${r() % 512} ${r() % 512} ${r() % 512}Z" fill="#${(r() & 0xffffff).toString(16).padStart(6, '0')}"/>\n`;
    return s + '</svg>\n';
  },
  json(r, size) {
    const items = [];
    let n = 2;
    while (n < size) {
      const it = JSON.stringify({
        id: r() % 100000,
        name: words(r, 2),
        tags: [pick(r, WORDS), pick(r, WORDS)],
        score: (r() % 10000) / 100,
        active: !(r() & 1),
      });
      items.push(it);
      n += it.length + 1;
    }
    return `[${items.join(',')}]`;
  },
};
const DIRS = { html: ['', 'docs', 'blog'], css: ['css'], js: ['js', 'js/vendor'], svg: ['img', 'icons'], json: ['data', 'api'] };

/** Writes the asset folder (idempotent: skipped when the stamp matches); returns { files, small, large }. */
export function generateAssets(root, { small = 200, seed = 0x6d6d6364 } = {}) {
  const stampFile = path.join(root, '..', `${path.basename(root)}.json`);
  const stamp = JSON.stringify({ v: 1, small, seed });
  if (fs.existsSync(stampFile)) {
    const j = JSON.parse(fs.readFileSync(stampFile, 'utf8'));
    if (j.stamp === stamp) return j.list;
  }
  fs.rmSync(root, { recursive: true, force: true });
  const list = { small: [], large: [] };
  const write = (rel, body, kind) => {
    const f = path.join(root, rel);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, body);
    list[kind].push({ path: '/' + rel, size: Buffer.byteLength(body) });
  };
  const types = Object.keys(GEN);
  for (let i = 0; i < small; i++) {
    const r = rng(mix32(seed, i));
    const type = types[i % types.length];
    const size = 1024 + (r() % (19 * 1024)); // 1–20 KB
    const dir = pick(r, DIRS[type]);
    const name = `${ident(r)}-${i}.${type}`;
    write(dir ? `${dir}/${name}` : name, GEN[type](r, size), 'small');
  }
  const r = rng(mix32(seed, 1e6));
  write('index.html', GEN.html(r, 8 * 1024), 'small');
  write('js/app.bundle.js', GEN.js(r, 1 << 20), 'large');
  write('js/vendor.bundle.js', GEN.js(r, 400 << 10), 'large');
  write('data/catalog.json', GEN.json(r, 300 << 10), 'large');
  const noise = (n) => {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) b.writeUInt32LE(r(), i);
    return b;
  };
  write('img/hero.jpg', noise(600 << 10), 'large');
  write('fonts/inter.woff2', noise(120 << 10), 'large');
  fs.writeFileSync(stampFile, JSON.stringify({ stamp, list }));
  return list;
}

/** A copy of the folder with <file>.br (quality 11) and <file>.gz (level 9) where smaller — what sirv's { brotli, gzip } serves. */
export function precompressedCopy(root, out, list) {
  const stampFile = out + '.json';
  const stamp = JSON.stringify({ v: 1, files: list.small.length + list.large.length });
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return;
  fs.rmSync(out, { recursive: true, force: true });
  for (const { path: p } of [...list.small, ...list.large]) {
    const src = path.join(root, p);
    const dst = path.join(out, p);
    fs.mkdirSync(path.dirname(dst), { recursive: true });
    const body = fs.readFileSync(src);
    fs.writeFileSync(dst, body);
    const br = zlib.brotliCompressSync(body, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    });
    const gz = zlib.gzipSync(body, { level: 9 });
    if (br.length < body.length) fs.writeFileSync(dst + '.br', br);
    if (gz.length < body.length) fs.writeFileSync(dst + '.gz', gz);
  }
  fs.writeFileSync(stampFile, stamp);
}
