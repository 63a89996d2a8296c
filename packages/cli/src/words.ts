// How counts read in messages: "1 record", "2 records", "0 records" — one place, so that
// every summary line (build, convert, verify, assets) says it the same way.

/** `n` followed by `word`, plural unless n is 1: count(1, 'record') = "1 record". */
export function count(n: number, word: string, plural = `${word}s`): string {
  return `${n} ${n === 1 ? word : plural}`;
}
