// Little-endian reads from plain Uint8Arrays (FORMAT.md §Conventions; classic cdb is
// little-endian too), for the browser-safe codecs.

export function u32le(b: Uint8Array, p: number): number {
  return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
}
