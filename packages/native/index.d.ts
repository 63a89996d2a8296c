// The ES module face's types (index.js): the same declarations as the CommonJS loader's
// (index.d.cts, the single source of them).
export * from './index.cjs';
export { default } from './index.cjs';
