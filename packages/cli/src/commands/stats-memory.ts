// cdb stats --memory: what an open database costs in memory, including what heap reports
// miss — mapped file pages are in the process's RSS but in neither heapUsed nor external
// (docs/RELIABILITY.md §Memory that heap reports miss). Read from core's mappings() while
// the reader is open.
import * as path from 'node:path';
import { mappings, type MappingInfo, type Reader } from '@mmcdb/core';

export interface MemoryReport {
  backend: string;
  /** The files of this database the native reader mapped (one; a set: one per shard opened). */
  files: MappingInfo[];
  mappedBytes: number;
  residentBytes: number;
  /** The whole file's size, for the resident share. */
  fileBytes: number;
  process: { rss: number; heapUsed: number; external: number };
}

/** The mappings of `db` (a file, or a set's folder) in this process, with the process's own figures. */
export function memoryReport(reader: Reader, db: string): MemoryReport {
  const root = path.resolve(db);
  // Open mappings only: a closed reader's mapping of the same file, kept by views not yet
  // collected, belongs to whoever holds those views (mappings() lists it with readers 0).
  const files = mappings().filter((m) => {
    const p = path.resolve(m.path);
    return m.readers > 0 && (p === root || p.startsWith(root + path.sep));
  });
  const sum = (f: (m: MappingInfo) => number) => files.reduce((a, m) => a + f(m), 0);
  const mu = process.memoryUsage();
  return {
    backend: reader.backend,
    files,
    mappedBytes: sum((m) => m.mappedBytes),
    residentBytes: sum((m) => m.residentBytes),
    fileBytes: sum((m) => m.fileBytes),
    process: { rss: mu.rss, heapUsed: mu.heapUsed, external: mu.external },
  };
}

const mib = (n: number) => (n < 2 ** 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 2 ** 20).toFixed(1)} MiB`);

export function formatMemory(r: MemoryReport): string {
  if (r.files.length === 0) {
    return `memory:          nothing mapped (backend ${r.backend}: its memory is ordinary Buffers, which heap reports show)\n`;
  }
  const share = r.fileBytes === 0 ? 0 : Math.round((r.residentBytes * 100) / r.fileBytes);
  return [
    `memory:          ${r.files.length} file${r.files.length === 1 ? '' : 's'} mapped by the native reader`,
    `  mapped:        ${mib(r.mappedBytes)} of address space (the file, plus its data section's views)`,
    `  resident:      ${mib(r.residentBytes)} (${share} % of ${mib(r.fileBytes)}) in the page cache (mincore)`,
    `  heap reports:  rss ${mib(r.process.rss)}, heapUsed ${mib(r.process.heapUsed)}, external ${mib(r.process.external)}` +
      ' — heapUsed never includes mapped pages: add mappings() to your metrics',
    '',
  ].join('\n');
}
