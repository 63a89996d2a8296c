// What a benchmark child printed: its last stdout line as JSON, or { error } naming why
// not — the error's own lines (message, code) say more than the tail of a stack trace.
export function childResult(r) {
  const line = (r.stdout ?? '').trim().split('\n').pop();
  if (r.status !== 0 || !line) {
    const lines = (r.stderr || String(r.error ?? '')).trim().split('\n');
    const told = lines.filter((l) => /Error\b|^\s*code:/.test(l)).slice(0, 3);
    return { error: `exit ${r.status ?? r.signal}: ${(told.length ? told : lines.slice(-3)).join(' | ')}` };
  }
  try {
    return JSON.parse(line);
  } catch {
    return { error: `bad output: ${line.slice(0, 200)}` };
  }
}
