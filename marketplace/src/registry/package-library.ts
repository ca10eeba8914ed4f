/**
 * `@valueverse/plugin-sdk/package` (tar, esbuild and the signature code), loaded on first use: the host mounts the
 * registry on every boot, and most boots never see a publish (issue #14 counts boot milliseconds; the library adds
 * 40-90 ms when loaded eagerly).
 */
export function packageLibrary(): typeof import('@valueverse/plugin-sdk/package') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('@valueverse/plugin-sdk/package') as typeof import('@valueverse/plugin-sdk/package'));
}

let loaded: typeof import('@valueverse/plugin-sdk/package') | undefined;
