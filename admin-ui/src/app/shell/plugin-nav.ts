import type { Route, Routes } from '@angular/router';
import type { TenantPlugin } from '../api/admin-api';

/** One entry of the workspace navigation, made from an enabled plugin's manifest. */
export interface NavEntry {
  readonly pluginId: string;
  readonly label: string;
  /** Path under /workspace/. */
  readonly path: string;
  readonly icon?: string;
  /** Custom element tag of a third-party page. */
  readonly element?: string;
  /** Where that element's bundle is loaded from. */
  readonly elementsUrl?: string;
  /** False when the plugin is enabled but not running (failed, blocked): shown, marked unavailable. */
  readonly available: boolean;
}

/** Workspace pages this console ships (see app.routes.ts); other nav paths get a runtime route. */
export const FIRST_PARTY_PATHS: ReadonlySet<string> = new Set(['what-if', 'value-report', 'value-models', 'commitments', 'realization', 'amplify', 'billing', 'billing-admin']);

/** The URL of a plugin's custom-element bundle: absolute URLs as given, plugin-relative paths under /plugin-assets/. */
export function elementsUrl(pluginId: string, elements: string | undefined): string | undefined {
  if (!elements) return undefined;
  if (/^https?:\/\//.test(elements) || elements.startsWith('/')) return elements;
  return `/plugin-assets/${encodeURIComponent(pluginId)}/${elements.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * The console's own pages in the order of the value lifecycle, with the labels a customer reads (issue 19): a
 * plugin's manifest label may be its id or an internal name.
 */
const LIFECYCLE: readonly (readonly [path: string, label: string])[] = [
  ['value-models', 'Models'],
  ['what-if', 'What-if'],
  ['value-report', 'Report'],
  ['commitments', 'Commitments'],
  ['realization', 'Realization'],
  ['amplify', 'Amplify'],
];
const LIFECYCLE_LABEL = new Map(LIFECYCLE);

/** True for the pages of the value lifecycle (Models → Amplify), as opposed to other plugins' pages (billing, ...). */
export const isLifecyclePage = (path: string): boolean => LIFECYCLE_LABEL.has(path);
const lifecycleRank = (path: string) => {
  const i = LIFECYCLE.findIndex(([p]) => p === path);
  return i === -1 ? LIFECYCLE.length : i;
};

/**
 * The nav entries of the enabled plugins: the lifecycle pages first in lifecycle order, then the others in plugin
 * order; the first entry for a path wins.
 */
export function navEntries(plugins: readonly TenantPlugin[]): NavEntry[] {
  const seen = new Set<string>();
  const entries: NavEntry[] = [];
  for (const plugin of plugins) {
    if (!plugin.enabled) continue;
    const declared = plugin.ui?.nav ?? [];
    for (const nav of declared) {
      if (seen.has(nav.path)) continue;
      seen.add(nav.path);
      entries.push({
        pluginId: plugin.pluginId,
        label: LIFECYCLE_LABEL.get(nav.path) ?? nav.label,
        path: nav.path,
        icon: nav.icon,
        element: nav.element,
        elementsUrl: elementsUrl(plugin.pluginId, plugin.ui?.elements),
        available: plugin.state === 'running',
      });
    }
  }
  // A stable sort: pages outside the lifecycle keep their plugin order.
  return entries.sort((a, b) => lifecycleRank(a.path) - lifecycleRank(b.path));
}

/** A stable text of what the navigation depends on, to tell whether a reload changed anything. */
export function navSignature(plugins: readonly TenantPlugin[]): string {
  return JSON.stringify(plugins.filter((p) => p.enabled).map((p) => [p.pluginId, p.state, p.version, p.ui ?? null]));
}

const isPluginRoute = (route: Route) => route.data?.['pluginRoute'] === true;

/**
 * The router config with one route per plugin page that this console does not ship, inserted in the shell's
 * children just before its `**` route (a later route would never match). Previous plugin routes are replaced.
 */
export function withPluginRoutes(config: Routes, entries: readonly NavEntry[], page: NonNullable<Route['loadComponent']>): Routes {
  return config.map((route) => {
    const children = route.children;
    if (!children?.some((child) => child.path === '**')) return route;
    const kept = children.filter((child) => !isPluginRoute(child));
    const wildcard = kept.findIndex((child) => child.path === '**');
    const added: Route[] = entries
      .filter((entry) => !FIRST_PARTY_PATHS.has(entry.path))
      .map((entry) => ({ path: `workspace/${entry.path}`, title: `${entry.label} · ValueVerse`, loadComponent: page, data: { pluginRoute: true, entry } }));
    return { ...route, children: [...kept.slice(0, wildcard), ...added, ...kept.slice(wildcard)] };
  });
}
