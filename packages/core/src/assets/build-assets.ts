// buildAssets(): packs a folder into one asset database (docs/ASSETS.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { lookup } from 'mrmime';
import { xxh64 } from '../util/hash.js';
import type { BuildResult } from '../build/writer.js';
import type { WriterOptions } from '../format/writer-options.js';
import { createWriter } from '../format/writers.js';
import { ASSETS_KIND, ASSETS_VERSION, bodyKey, ENCODINGS, metaKey, variantKey, type AssetMeta, type Encoding } from './layout.js';

export interface BuildAssetsOptions extends Pick<WriterOptions, 'signal' | 'fsync' | 'mode'> {
  /** Compressed variants to build once, now (kept only when smaller). Default none. */
  precompress?: readonly Encoding[];
  /** Called per file (for progress). */
  onFile?: (urlPath: string, bytes: number) => void;
}

/** Every regular file under `root`, as sorted URL paths ("/a/b.txt") — sorted so builds are deterministic. */
export function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
    for (const e of entries) {
      const child = rel === '' ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile()) out.push(`/${child}`);
    }
  };
  walk('');
  return out.sort();
}

export function contentType(urlPath: string): string {
  const type = lookup(urlPath) ?? 'application/octet-stream';
  return /^text\/|\/(javascript|json|xml|svg\+xml)$/.test(type) ? `${type}; charset=utf-8` : type;
}

function compress(enc: Encoding, body: Buffer): Buffer {
  return enc === 'br'
    ? zlib.brotliCompressSync(body, {
        params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length },
      })
    : zlib.gzipSync(body, { level: 9 });
}

export async function buildAssets(root: string, out: string, options: BuildAssetsOptions = {}): Promise<BuildResult> {
  const precompress = options.precompress ?? [];
  for (const enc of precompress) {
    if (!ENCODINGS.includes(enc)) throw new RangeError(`precompress accepts ${ENCODINGS.join(', ')}; got ${String(enc)}`);
  }
  if (!fs.statSync(root).isDirectory()) throw new TypeError(`${root} is not a folder`);
  const files = listFiles(root);
  const writer = createWriter(out, {
    duplicates: 'error',
    metadata: { kind: ASSETS_KIND, version: ASSETS_VERSION, files: files.length },
    signal: options.signal,
    fsync: options.fsync,
    mode: options.mode,
  });
  try {
    for (const urlPath of files) {
      const file = path.join(root, ...urlPath.split('/'));
      const body = fs.readFileSync(file);
      const meta: AssetMeta = {
        type: contentType(urlPath),
        size: body.length,
        etag: `"${xxh64(body, 0n).toString(16).padStart(16, '0')}"`,
        mtime: Math.floor(fs.statSync(file).mtimeMs / 1000) * 1000, // HTTP dates have 1 s resolution
        variants: {},
      };
      const variants: [Encoding, Buffer][] = [];
      for (const enc of precompress) {
        const packed = compress(enc, body);
        if (packed.length < body.length) {
          meta.variants[enc] = packed.length;
          variants.push([enc, packed]);
        }
      }
      writer.add(metaKey(urlPath), JSON.stringify(meta));
      writer.add(bodyKey(urlPath), body);
      for (const [enc, packed] of variants) writer.add(variantKey(urlPath, enc), packed);
      options.onFile?.(urlPath, body.length);
    }
    return await writer.finish();
  } catch (err) {
    writer.abort(err);
    throw err;
  }
}
