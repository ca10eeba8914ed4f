/**
 * Size limits of a plugin package (`.vvpkg`). A package over any of them is refused with `VV_PACKAGE_INVALID` while
 * it is read, before the bytes of a larger one are held in memory: a registry or host reads packages from strangers.
 */
export const PACKAGE_LIMITS: Readonly<{ maxPackageBytes: number; maxUnpackedBytes: number; maxEntries: number }> = Object.freeze({
  /** The package file itself (gzip'ed). */
  maxPackageBytes: 20 * 1024 * 1024,
  /** The sum of all entry sizes once decompressed. */
  maxUnpackedBytes: 100 * 1024 * 1024,
  /** Tar entries, directories included. */
  maxEntries: 5000,
});
