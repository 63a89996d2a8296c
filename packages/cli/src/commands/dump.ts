// cdb dump <db>: every record in file order, as cdbmake input (binary-exact) or jsonl
// (base64 fields, marked, for bytes that are not UTF-8). `cdb dump | cdb build` rebuilds
// the same file: see docs/cli.md §dump for the conditions.
import { Option, type Command } from 'commander';
import { Reader } from '@mmcdb/core';
import type { RemoteReader } from '@mmcdb/core/remote';
import { openDb } from '../options.js';
import { Output } from '../output.js';
import { isValidUtf8 } from '../input/values.js';
import type { Context } from '../context.js';
import { isUrl, openRemoteDb } from '../remote.js';

export function registerDump(program: Command, ctx: Context): void {
  program
    .command('dump')
    .description('print every record, in file order, as cdbmake or jsonl build input')
    .argument('<db>', 'the database: a path, or an http(s):// URL (streamed in large ranges)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['cdbmake', 'jsonl']).default('cdbmake'))
    .addHelpText(
      'after',
      `
Examples:
  $ cdb dump countries.mmcdb | head -c 300
  $ cdb dump countries.mmcdb --format jsonl > countries.jsonl
  $ cdb dump a.mmcdb | cdb build b.mmcdb && cmp a.mmcdb b.mmcdb   # byte-identical copy`,
    )
    .action(ctx.action('dump', (db: string, opts: { format: 'cdbmake' | 'jsonl' }) => runDump(db, opts.format, ctx)));
}

async function runDump(db: string, format: 'cdbmake' | 'jsonl', ctx: Context): Promise<number> {
  const reader = isUrl(db) ? await openRemoteDb(db) : openDb(db, ctx.backend(), 'sequential');
  const out = new Output(ctx.io.stdout);
  try {
    if (reader instanceof Reader) await dumpLocal(reader, format, out);
    else await dumpRemote(reader, format, out);
    if (format === 'cdbmake') out.write('\n');
    await out.flush();
    return 0;
  } finally {
    reader.close();
  }
}

/**
 * A local file: forEachRawAsync, the fastest scan (docs/api.md: native batches, no
 * Buffer per key or value), pausing every 1,024 records while stdout drains.
 */
async function dumpLocal(reader: Reader, format: 'cdbmake' | 'jsonl', out: Output): Promise<void> {
  let n = 0;
  await reader.forEachRawAsync((bytes, ks, ke, vs, ve) => {
    if (format === 'cdbmake') {
      out.writeCdbmakeHeader(ke - ks, ve - vs);
      out.writeRange(bytes, ks, ke);
      out.writeByte(0x2d); // -
      out.writeByte(0x3e); // >
      out.writeRange(bytes, vs, ve);
      out.writeByte(0x0a);
    } else {
      out.write(jsonlRecord(bytes.subarray(ks, ke), bytes.subarray(vs, ve)));
    }
    return (++n & 1023) === 0 ? out.drain() : undefined;
  });
}

async function dumpRemote(reader: RemoteReader, format: 'cdbmake' | 'jsonl', out: Output): Promise<void> {
  let n = 0;
  for await (const [k, v] of reader.entries()) {
    const key = Buffer.from(k.buffer, k.byteOffset, k.length);
    const value = Buffer.from(v.buffer, v.byteOffset, v.length);
    if (format === 'cdbmake') {
      out.write(`+${key.length},${value.length}:`);
      out.write(key);
      out.write('->');
      out.write(value);
      out.write('\n');
    } else {
      out.write(jsonlRecord(key, value));
    }
    if ((++n & 1023) === 0) await out.drain();
  }
}

/** One jsonl line that `cdb build` turns back into exactly these bytes. */
export function jsonlRecord(key: Buffer, value: Buffer): string {
  const k = isValidUtf8(key)
    ? JSON.stringify(key.toString('utf8'))
    : `${JSON.stringify(key.toString('base64'))},"keyEncoding":"base64"`;
  const v = isValidUtf8(value)
    ? JSON.stringify(value.toString('utf8'))
    : `${JSON.stringify(value.toString('base64'))},"encoding":"base64"`;
  return `{"key":${k},"value":${v}}\n`;
}
