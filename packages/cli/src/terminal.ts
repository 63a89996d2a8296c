// What the terminal on the other end of a stream may be sent: escape sequences (a live
// progress bar, colour) only to a terminal, and none under NO_COLOR (https://no-color.org,
// set and not empty) or TERM=dumb.

type Stream = NodeJS.WritableStream & { isTTY?: boolean };

/** NO_COLOR set to anything but the empty string. */
export function noColor(env: NodeJS.ProcessEnv): boolean {
  const v = env['NO_COLOR'];
  return v !== undefined && v !== '';
}

/** Colour (ANSI styles) on `stream`: a terminal, and neither NO_COLOR nor TERM=dumb. */
export function colorEnabled(stream: Stream, env: NodeJS.ProcessEnv): boolean {
  return stream.isTTY === true && !noColor(env) && env['TERM'] !== 'dumb';
}

/**
 * How to show progress on `stream`: `off` unless it is wanted and the stream is a terminal;
 * `plain` (text redrawn with carriage returns, no escape sequence) under NO_COLOR or
 * TERM=dumb; else `ansi` (cli-progress: the bar, the cursor hidden, the line cleared).
 */
export type ProgressMode = 'off' | 'plain' | 'ansi';

export function progressMode(stream: Stream, env: NodeJS.ProcessEnv, wanted: boolean): ProgressMode {
  if (!wanted || stream.isTTY !== true) return 'off';
  return noColor(env) || env['TERM'] === 'dumb' ? 'plain' : 'ansi';
}
