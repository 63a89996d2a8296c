// Reading response bodies with a bound known before the first byte: the reader never
// allocates from what a server claims (Content-Length), only from the range it asked
// for, and stops at once when a body runs longer than that.

/** Why a body could not be read whole: too long, too short, or the stream failed (cause). */
export class BodyError extends Error {
  readonly kind: 'long' | 'short' | 'stream';
  constructor(kind: 'long' | 'short' | 'stream', message: string, cause?: unknown) {
    super(message, { cause });
    this.kind = kind;
  }
}

/** Stops a body we will not read (a 200 of a whole file, an error page) without downloading it. */
export async function discardBody(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // already failed or finished: nothing to release
  }
}

/** Reads exactly `length` bytes of body into one new array; fails on more or fewer. */
export async function readExact(response: Response, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let at = 0;
  await eachChunk(response, (chunk) => {
    if (chunk.length > length - at) throw new BodyError('long', `the body is longer than the ${length} bytes asked for`);
    out.set(chunk, at);
    at += chunk.length;
  });
  if (at !== length) throw new BodyError('short', `the body ended after ${at} of ${length} bytes`);
  return out;
}

/** Reads the whole body, failing as soon as it passes `limit` bytes. */
export async function readAtMost(response: Response, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  await eachChunk(response, (chunk) => {
    total += chunk.length;
    if (total > limit) throw new BodyError('long', `the body is longer than ${limit} bytes`);
    chunks.push(chunk);
  });
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

async function eachChunk(response: Response, onChunk: (chunk: Uint8Array) => void): Promise<void> {
  const body = response.body;
  if (body === null) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const step = await reader.read().catch((err: unknown) => {
        throw new BodyError('stream', 'the connection failed while reading the body', err);
      });
      if (step.done) return;
      onChunk(step.value);
    }
  } catch (err) {
    // Too long (or a failed stream): stop the download rather than drain it.
    reader.cancel().catch(() => undefined);
    throw err;
  } finally {
    reader.releaseLock();
  }
}
