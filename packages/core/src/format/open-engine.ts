// A pure-TypeScript engine for a byte source: the format is detected (detect.ts) and
// the header or TOC checked before anything else is read.
import type { ByteSource } from '../source/byte-source.js';
import { openClassicEngine } from './classic/engine.js';
import { detectFormat } from './detect.js';
import type { Backend, Engine } from './engine.js';
import { decodeHeader, HEADER_SIZE } from './mmcdb/codec.js';
import { MmcdbEngine } from './mmcdb/engine.js';

export function openEngine(src: ByteSource, backend: Backend, path: string): MmcdbEngine | ReturnType<typeof openClassicEngine> {
  const head = src.bytes(0, Math.min(HEADER_SIZE, src.size));
  if (detectFormat(head) === 'mmcdb') return new MmcdbEngine(src, decodeHeader(head, src.size, path), backend, path);
  return openClassicEngine(src, backend, path);
}

export type { Engine };
