// Types of fuzz-lib.mjs (plain JS so that its worker processes run it without a build).
export function runFuzz(options: {
  cases: number;
  seed: number;
  workers?: number;
  budgetMs?: number;
  dir: string;
  onProgress?: (summary: any) => void;
}): Promise<any>;
