/** Index of `x` in ascending `sorted`, or -1. */
export function binarySearch(sorted: Float64Array, x: number): number {
  let a = 0;
  let b = sorted.length - 1;
  while (a <= b) {
    const m = (a + b) >>> 1;
    const v = sorted[m]!;
    if (v === x) return m;
    if (v < x) a = m + 1;
    else b = m - 1;
  }
  return -1;
}
