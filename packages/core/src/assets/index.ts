/// <reference types="node" preserve="true" />
export { buildAssets, contentType, listFiles, type BuildAssetsOptions, type ListOptions } from './build-assets.js';
export { createAssetHandler, DEFAULT_SVG_CSP, type AssetHandler, type AssetHandlerOptions } from './handler.js';
export {
  encodePath,
  etagMatches,
  ifRangeMatches,
  negotiateEncoding,
  normalisePath,
  notModifiedSince,
  parseRange,
  type RangeResult,
} from './http-rules.js';
export { ASSETS_KIND, ASSETS_VERSION, bodyKey, ENCODINGS, metaKey, variantKey, type AssetMeta, type Encoding } from './layout.js';
export { representationTag } from './respond.js';
