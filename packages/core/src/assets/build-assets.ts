// buildAssets(): packs a folder into one asset database (docs/ASSETS.md).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import mime from 'mime';
import { xxh64 } from '../util/hash.js';
import type { BuildResult } from '../build/writer.js';
import type { WriterOptions } from '../format/writer-options.js';
import { createWriter } from '../format/writers.js';
import { ASSETS_KIND, ASSETS_VERSION, bodyKey, ENCODINGS, metaKey, variantKey, type AssetMeta, type Encoding } from './layout.js';

export interface BuildAssetsOptions extends Pick<WriterOptions, 'signal' | 'fsync' | 'mode'> {
  /** Compressed variants to build once, now (kept only when smaller). Default none. */
  precompress?: readonly Encoding[];
  /** Pack dot-files and dot-folders too (`.env`, `.git/`); default false (`.well-known/` always). */
  includeDotfiles?: boolean;
  /** Called per file (for progress). */
  onFile?: (urlPath: string, bytes: number) => void;
  /** Receives what was skipped and why: symlinks, names that are not UTF-8 or hold a backslash, dot-files (default: process.emitWarning). */
  onWarning?: (message: string) => void;
}

export interface ListOptions {
  includeDotfiles?: boolean;
  onWarning?: (message: string) => void;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Every regular file under `root`, as sorted URL paths ("/a/b.txt") — sorted so builds are
 * deterministic. Skipped, with a warning each: symbolic links (not followed), names that
 * are not valid UTF-8 (no URL could name them) or contain a backslash (the handler refuses
 * backslashes), and dot-entries unless `includeDotfiles` (`.well-known` is always kept).
 */
export function listFiles(root: string, options: ListOptions = {}): string[] {
  const warn = options.onWarning ?? ((m: string) => process.emitWarning(m, 'MmcdbWarning'));
  const out: string[] = [];
  let dotSkipped = 0;
  const walk = (rel: string, relBytes: Buffer): void => {
    const dir = Buffer.concat([Buffer.from(root), Buffer.from(path.sep), relBytes]);
    const entries = fs.readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
    for (const e of entries) {
      const raw = e.name as unknown as Buffer;
      let name: string;
      try {
        name = decoder.decode(raw);
      } catch {
        warn(
          `skipped ${JSON.stringify(`${rel}/`)}+${raw.toString('hex')} (hex): its name is not valid UTF-8, so no URL can name it`,
        );
        continue;
      }
      const child = rel === '' ? name : `${rel}/${name}`;
      if (name.includes('\\')) {
        warn(`skipped /${child}: a name with a backslash cannot be requested (the handler refuses backslashes)`);
        continue;
      }
      if (name.startsWith('.') && name !== '.well-known' && options.includeDotfiles !== true) {
        dotSkipped++;
        continue;
      }
      const childBytes = relBytes.length === 0 ? raw : Buffer.concat([relBytes, Buffer.from('/'), raw]);
      if (e.isSymbolicLink()) warn(`skipped /${child}: a symbolic link (not followed)`);
      else if (e.isDirectory()) walk(child, childBytes);
      else if (e.isFile()) out.push(`/${child}`);
    }
  };
  walk('', Buffer.alloc(0));
  if (dotSkipped > 0)
    warn(
      `skipped ${dotSkipped} dot-file${dotSkipped === 1 ? '' : 's'} or dot-folder${dotSkipped === 1 ? '' : 's'} (.env, .git/…); pass includeDotfiles / --include-dotfiles to pack them`,
    );
  return out.sort();
}

export function contentType(urlPath: string): string {
  const type = mime.getType(urlPath) ?? 'application/octet-stream';
  return /^text\/|\/(javascript|json|xml|svg\+xml|manifest\+json)$/.test(type) ? `${type}; charset=utf-8` : type;
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
  const files = listFiles(root, options);
  const writer = createWriter(out, {
    duplicates: 'error',
    metadata: {
      kind: ASSETS_KIND,
      version: ASSETS_VERSION,
      files: files.length,
      ...(options.includeDotfiles === true && { dotfiles: true }),
    },
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
      // Let an abort (Ctrl-C in `cdb build --assets`) in between files.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return await writer.finish();
  } catch (err) {
    writer.abort(err);
    throw err;
  }
}
