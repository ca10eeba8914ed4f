import { posix } from 'node:path';

/**
 * The package entry path of a file the manifest names (`main`, `ui.elements`): the manifest schema allows `./x.js`
 * and `a//b.js`, a package stores each file under one plain path (`x.js`, `a/b.js`).
 */
export function packagePathOf(manifestPath: string): string {
  return posix.normalize(manifestPath);
}
