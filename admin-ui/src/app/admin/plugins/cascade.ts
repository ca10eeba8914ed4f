import type { PluginChangePlan, TenantPlugin } from '../../api/admin-api';

/** The changes of a plan beyond the one asked for: what a cascade would also do. */
export function cascadeOf(plan: PluginChangePlan, pluginId: string): PluginChangePlan['changes'] {
  return plan.changes.filter((c) => c.pluginId !== pluginId);
}

/** One line per cascaded change, naming plugins by display name: "Enables Calculation (required by Insights)". */
export function describeCascade(plan: PluginChangePlan, pluginId: string, plugins: readonly TenantPlugin[]): string[] {
  const name = (id: string) => plugins.find((p) => p.pluginId === id)?.displayName ?? id;
  return cascadeOf(plan, pluginId).map((c) => {
    const why = c.reason.replace(/"([^"]+)"/g, (_m, id: string) => name(id));
    return `${c.enabled ? 'Enables' : 'Disables'} ${name(c.pluginId)} (${why})`;
  });
}
