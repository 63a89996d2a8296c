// Child of flavors.test.ts, run with MMCDB_NATIVE_FLAVOR set: every lookup entry point
// on every probe key, first in functions TurboFan has optimized (where V8 fast API calls
// happen in the V8-API flavour) and again unoptimized, plus what a closed reader throws
// from the optimized code (the fast path defers to handle.get() then). Needs
// --allow-natives-syntax. argv: <core entry> <db> <probes.json>. Prints one JSON line.
const [coreEntry, db, probesFile] = process.argv.slice(2);
const { openSync } = await import(coreEntry);
const { readFileSync } = await import('node:fs');

// Probe keys as JSON: { s: string } | { b: hex } (a Buffer) | { u8: hex } (a plain
// Uint8Array, on the JS heap) | { sub: hex } (a Buffer view of those bytes less the first
// and last) | { cons: [a, b] } (a string made by concatenation: not flat).
const probes = JSON.parse(readFileSync(probesFile, 'utf8')).map((p) => {
  if (p.s !== undefined) return p.s;
  if (p.b !== undefined) return Buffer.from(p.b, 'hex');
  if (p.u8 !== undefined) return new Uint8Array(Buffer.from(p.u8, 'hex'));
  if (p.sub !== undefined) return Buffer.from(p.sub, 'hex').subarray(1, -1);
  return [p.cons[0], p.cons[1]];
});
const keyOf = (p) => (Array.isArray(p) ? `${p[0]}${String(p[1])}` : p);

// V8's natives syntax, through Function (the flag is on; the formatter cannot parse it).
const natives = Object.fromEntries(
  ['PrepareFunctionForOptimization', 'OptimizeFunctionOnNextCall', 'GetOptimizationStatus', 'NeverOptimizeFunction'].map(
    (name) => [name, new Function('f', `return %${name}(f);`)],
  ),
);

const reader = openSync(db, { backend: 'mmap' });
const hex = (v) => (v === undefined ? null : v.toString('hex'));
function get(k) {
  return reader.get(k);
}
function has(k) {
  return reader.has(k);
}
function getString(k) {
  return reader.getString(k);
}
function getLatin1(k) {
  return reader.getString(k, 'latin1');
}
const answer = (k) => ({ get: hex(get(k)), has: has(k), str: getString(k) ?? null, latin1: getLatin1(k) ?? null });

for (const f of [get, has, getString, getLatin1]) {
  natives.PrepareFunctionForOptimization(f);
  for (const p of probes) f(keyOf(p));
  natives.OptimizeFunctionOnNextCall(f);
  f(keyOf(probes[0]));
}
const status = [get, has, getString, getLatin1].map((f) => natives.GetOptimizationStatus(f));
const optimized = probes.map((p) => answer(keyOf(p)));
natives.NeverOptimizeFunction(answer);
const again = probes.map((p) => answer(keyOf(p)));
reader.close();
let closed;
try {
  get(keyOf(probes[0]));
  closed = 'no error';
} catch (e) {
  closed = e.code;
}
console.log(
  JSON.stringify({
    flavor: reader.nativeFlavor,
    optimized,
    same: JSON.stringify(again) === JSON.stringify(optimized),
    // Bit 4 (16) of V8's optimization status: optimized by TurboFan.
    turbofan: status.map((s) => (s & 16) !== 0),
    closed,
  }),
);
