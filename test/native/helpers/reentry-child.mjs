// Child of reentry.test.ts (a crash — SIGSEGV from reading uninitialised key spans —
// must fail a test, not kill vitest). For one database file, runs getMany /
// getManyAsync with key arrays whose elements are getters that run JS against the same
// handle (re-entrant getMany, getManyAsync, get, setOut, close), arrays whose length
// changes while being read, a detached `out`, a throwing getter and a Proxy; prints one
// JSON object of outcomes. argv: <native index.js> <file> <format>
import { pathToFileURL } from 'node:url';

const [nativeIndex, file] = process.argv.slice(2);
const native = (await import(pathToFileURL(nativeIndex).href)).default;

const N = 40;
const keys = Array.from({ length: N }, (_, i) => (i % 5 === 4 ? `absent${i}` : `key${i}`));
const other = Array.from({ length: 23 }, (_, i) => `key${(i * 7) % 37}-other-${'y'.repeat(i)}`);

function expected(h, list) {
  const out = [];
  for (const k of list) out.push(...(h.get(k) ? [h.out[0], h.out[1]] : [-1, 0]));
  return out;
}

/** keys with element `at` replaced by a getter that runs fn() and then yields the key. */
function hostile(list, at, fn) {
  const a = list.slice();
  const k = a[at];
  Object.defineProperty(a, at, { get: () => (fn(), k), enumerable: true });
  return a;
}

const outcome = (fn) => {
  try {
    return { ok: fn() };
  } catch (err) {
    return { error: err?.code ?? err?.name, message: err?.message };
  }
};

const h = native.open(file);
const want = expected(h, keys);
const res = {};
const same = (out) => JSON.stringify(Array.from(out)) === JSON.stringify(want);

for (const at of [0, 3, 17, N - 1]) {
  // A getter that runs getMany on the same handle (its own keys and out).
  res[`getMany@${at}`] = outcome(() => {
    const out = new Float64Array(2 * N);
    let inner;
    h.getMany(
      hostile(keys, at, () => {
        const o = new Float64Array(2 * other.length);
        h.getMany(other, o);
        inner = JSON.stringify(Array.from(o)) === JSON.stringify(expected(h, other));
      }),
      out,
    );
    return { same: same(out), inner };
  });
  res[`getManyNested@${at}`] = outcome(() => {
    // Two levels: the inner call's keys have a getter that calls getMany again.
    const out = new Float64Array(2 * N);
    h.getMany(
      hostile(keys, at, () =>
        h.getMany(
          hostile(other, 5, () => h.getMany(keys.slice(0, 20), new Float64Array(40))),
          new Float64Array(2 * other.length),
        ),
      ),
      out,
    );
    return { same: same(out) };
  });
  res[`get@${at}`] = outcome(() => {
    const out = new Float64Array(2 * N);
    h.getMany(
      hostile(keys, at, () => h.get('key1')),
      out,
    );
    return { same: same(out) };
  });
  res[`async@${at}`] = outcome(() => {
    const out = new Float64Array(2 * N);
    h.getMany(
      hostile(keys, at, () => void h.getManyAsync(other)),
      out,
    );
    return { same: same(out) };
  });
  res[`setOut@${at}`] = outcome(() => {
    const out = new Float64Array(2 * N);
    h.getMany(
      hostile(keys, at, () => h.setOut(new Float64Array(8))),
      out,
    );
    return { same: same(out) };
  });
}
// Async batches whose keys re-enter.
for (const at of [0, 20]) {
  res[`asyncOuter@${at}`] = await (async () => {
    try {
      const out = await h.getManyAsync(hostile(keys, at, () => h.getMany(other, new Float64Array(2 * other.length))));
      return { ok: { same: same(out) } };
    } catch (err) {
      return { error: err?.code };
    }
  })();
}
res.shrink = outcome(() => {
  const a = hostile(keys, 2, () => (a.length = 3));
  return h.getMany(a, new Float64Array(2 * N));
});
res.grow = outcome(() => {
  const a = hostile(keys, 2, () => a.push(...keys));
  const out = new Float64Array(2 * N);
  h.getMany(a, out);
  return { same: same(out) };
});
res.detachOut = outcome(() => {
  const out = new Float64Array(2 * N);
  h.getMany(
    hostile(keys, 5, () => structuredClone(out.buffer, { transfer: [out.buffer] })),
    out,
  );
  return 'no error';
});
res.throwing = outcome(() =>
  h.getMany(
    hostile(keys, 5, () => {
      throw Object.assign(new Error('boom'), { code: 'BOOM' });
    }),
    new Float64Array(2 * N),
  ),
);
res.proxy = outcome(() => h.getMany(new Proxy(keys, {}), new Float64Array(2 * N)));
res.asyncProxy = outcome(() => h.getManyAsync(new Proxy(keys, {})));
// Close from a getter: nothing is looked up on a closed handle.
res.close = outcome(() =>
  h.getMany(
    hostile(keys, 7, () => h.close()),
    new Float64Array(2 * N),
  ),
);
res.afterClose = outcome(() => h.get('key1'));
const h2 = native.open(file);
res.asyncClose = outcome(() => h2.getManyAsync(hostile(keys, 7, () => h2.close())));
console.log(JSON.stringify(res));
