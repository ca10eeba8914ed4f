/** The export condition that points the workspace at TypeScript sources (src/), which tarballs do not carry. */
export const SOURCE_CONDITION = '@valueverse/source';

/**
 * package.json `exports` without the source condition, at any depth; a subpath left with no target (kernel's
 * `./testing`, which exists only as source) is dropped, since an installed package cannot serve it.
 */
export function publishableExports(exports: unknown): unknown {
  if (typeof exports === 'string' || exports === null || typeof exports !== 'object') return exports;
  if (Array.isArray(exports)) return exports.map(publishableExports).filter((target) => target !== undefined);
  const kept = Object.entries(exports as Record<string, unknown>)
    .filter(([key]) => key !== SOURCE_CONDITION)
    .map(([key, value]) => [key, publishableExports(value)] as const)
    .filter(([, value]) => value !== undefined && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0));
  return kept.length === 0 ? undefined : Object.fromEntries(kept);
}

/** Every file path an `exports` value names (subpath patterns with `*` excluded: the packages here use none). */
export function exportTargets(exports: unknown): string[] {
  if (typeof exports === 'string') return exports.includes('*') ? [] : [exports];
  if (exports === null || typeof exports !== 'object') return [];
  return Object.values(exports as Record<string, unknown>).flatMap(exportTargets);
}
