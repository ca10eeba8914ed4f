import type { PluginManifest } from '@valueverse/plugin-sdk';

/** Most categories a package shows; more keywords are ignored. */
const MAX_CATEGORIES = 10;
const CATEGORY = /^[a-z0-9][a-z0-9-]{0,49}$/;
/** Icon files looked for at the package root, in this order, and their content types. */
export const ICON_FILES: Readonly<Record<string, string>> = { 'icon.svg': 'image/svg+xml', 'icon.png': 'image/png' };
const MAX_ICON_BYTES = 256 * 1024;
const MAX_README_CHARS = 200_000;

/** What the registry lists about a package version, read from the files of the (verified) package. */
export interface PackageListing {
  readonly displayName: string;
  readonly description: string;
  readonly kernel: string;
  readonly permissions: readonly string[];
  /** From package.json `keywords`: lower-cased, those that are category names (`[a-z0-9-]`, ≤ 50), at most 10. */
  readonly categories: readonly string[];
  /** `README.md` at the package root (any case), else empty. */
  readonly readme: string;
  /** `icon.svg` or `icon.png` at the package root, when present and at most 256 KB. */
  readonly icon: { readonly path: string; readonly bytes: Buffer } | null;
}

/**
 * Reads the listing fields of a package. The manifest gives name, description, kernel range and permissions;
 * package.json's `keywords` (what npm uses for the same purpose) give the categories; README.md and icon.svg/png
 * at the root are optional.
 */
export function packageListing(manifest: PluginManifest, files: ReadonlyMap<string, Buffer>): PackageListing {
  let keywords: unknown;
  try {
    keywords = (JSON.parse(files.get('package.json')?.toString('utf8') ?? '{}') as { keywords?: unknown }).keywords;
  } catch {
    keywords = undefined;
  }
  const categories = Array.isArray(keywords)
    ? [...new Set(keywords.filter((k): k is string => typeof k === 'string').map((k) => k.trim().toLowerCase()))].filter((k) => CATEGORY.test(k)).slice(0, MAX_CATEGORIES)
    : [];
  const readmeName = [...files.keys()].find((name) => name.toLowerCase() === 'readme.md');
  const readme = readmeName ? files.get(readmeName)!.toString('utf8').slice(0, MAX_README_CHARS) : '';
  const iconName = Object.keys(ICON_FILES).find((name) => (files.get(name)?.length ?? Infinity) <= MAX_ICON_BYTES);
  return {
    displayName: manifest.displayName,
    description: manifest.description ?? '',
    kernel: manifest.kernel,
    permissions: [...(manifest.permissions ?? [])],
    categories,
    readme,
    icon: iconName ? { path: iconName, bytes: files.get(iconName)! } : null,
  };
}
