// How JSON-based inputs (jsonl, json) turn JSON into bytes (docs/cli.md §Input formats):
// a string is stored as its UTF-8 bytes (or decoded, with an "encoding" marker); any
// other JSON value is stored as its compact JSON text.
import { isUtf8 } from 'node:buffer';

export type TextEncoding = 'utf8' | 'base64' | 'hex';
export const TEXT_ENCODINGS: readonly TextEncoding[] = ['utf8', 'base64', 'hex'];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*$/;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

/** Decodes text in `encoding`; returns undefined when it is not valid in that encoding. */
export function decodeText(text: string, encoding: TextEncoding): Buffer | undefined {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'hex':
      return HEX.test(text) ? Buffer.from(text, 'hex') : undefined;
    case 'base64':
      if (BASE64.test(text)) return Buffer.from(text, 'base64');
      if (BASE64URL.test(text) && text.length % 4 !== 1) return Buffer.from(text, 'base64url');
      return undefined;
  }
}

/** A JSON value as stored bytes: strings as UTF-8, everything else as compact JSON text. */
export function jsonValueBytes(value: unknown): Buffer {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
}

/** Whether bytes are valid UTF-8 (so that decoding and re-encoding gives them back). */
export function isValidUtf8(bytes: Uint8Array): boolean {
  return isUtf8(bytes);
}

/** Strips a UTF-8 byte order mark. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** `position N` in a JSON.parse message → line and column within `text`. */
export function jsonErrorWhere(err: unknown, text: string): { message: string; line: number; column: number | undefined } {
  const message = (err as Error).message ?? String(err);
  const m = /at position (\d+)/.exec(message);
  if (m === null) return { message, line: 1, column: undefined };
  const pos = Number(m[1]);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { message: message.replace(/\s*\(line \d+ column \d+\)/, ''), line, column: pos - lineStart + 1 };
}
