import type { RouteDefinition } from '@valueverse/plugin-sdk';
import type { WorkflowStore } from '../workflows/workflow-store';

/** A notification category as a member sees it on their preferences page. */
export interface CategorySummary {
  readonly category: string;
  /** The enabled workflows that send in this category: what a member opts out of, and which ones are critical. */
  readonly workflows: readonly { readonly name: string; readonly critical: boolean; readonly channels: readonly string[] }[];
}

/**
 * `GET /notifications/categories`: the categories the tenant's enabled workflows send in, for every member (the
 * workflows themselves are admin-only). The preferences page lists these, and names the critical ones, which reach
 * people whatever they chose.
 */
export function createCategoryRoutes(workflows: WorkflowStore): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: '/notifications/categories',
      summary: "The categories the tenant's workflows send in, with their workflows' names and whether they are critical",
      handler: async (request) => {
        const byCategory = new Map<string, CategorySummary['workflows'][number][]>();
        for (const w of await workflows.list(request.tenant.id)) {
          if (!w.enabled) continue;
          const list = byCategory.get(w.category) ?? [];
          list.push({ name: w.name, critical: w.critical, channels: [...w.channels] });
          byCategory.set(w.category, list);
        }
        const items: CategorySummary[] = [...byCategory.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([category, list]) => ({ category, workflows: list }));
        return { items };
      },
    },
  ];
}
