// Which URLs name a sharded set rather than one file (docs/SHARDS.md §Remote): the remote
// file reader refuses them, pointing to openRemoteSet. A URL ending in '/' is not among
// them: a server may answer it with a file (cdb serve --raw serves one at /). Browser-safe.
import { CURRENT_NAME, MANIFEST_NAME } from '../../format/sharded/manifest.js';

/** …/manifest.json or …/CURRENT. */
export function isSetUrl(url: URL): boolean {
  const p = url.pathname;
  return p.endsWith(`/${MANIFEST_NAME}`) || p.endsWith(`/${CURRENT_NAME}`);
}
