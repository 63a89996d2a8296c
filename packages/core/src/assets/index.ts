export { buildAssets, contentType, listFiles, type BuildAssetsOptions } from './build-assets.js';
export { createAssetHandler, type AssetHandler, type AssetHandlerOptions } from './handler.js';
export { etagMatches, negotiateEncoding, normalisePath, parseRange, type RangeResult } from './http-rules.js';
export { ASSETS_KIND, ASSETS_VERSION, bodyKey, metaKey, variantKey, type AssetMeta, type Encoding } from './layout.js';
