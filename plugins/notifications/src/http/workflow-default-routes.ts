import { VvError, type AuditLog, type RouteDefinition } from '@valueverse/plugin-sdk';
import { defaultWorkflows } from '../workflows/workflow';
import type { WorkflowStore } from '../workflows/workflow-store';
import { notificationSchemas } from './notification-schemas';

const workflowId = { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,62}$' } as const;

/**
 * The first-party workflows as shipped (`GET /notifications/workflows/defaults`) and putting them back
 * (`POST /notifications/workflows/restore-defaults` `{ids?}`): an edited one is replaced by its default, a deleted one
 * is created again; without `ids`, all of them. Tenant admins only, audited.
 */
export function createWorkflowDefaultRoutes(workflows: WorkflowStore, audit: AuditLog): RouteDefinition[] {
  return [
    {
      method: 'GET',
      path: '/notifications/workflows/defaults',
      summary: 'The first-party workflows as shipped, which restore-defaults puts back',
      minRole: 'tenant-admin',
      schema: { responses: { 200: notificationSchemas.workflowList } },
      handler: () => ({ items: defaultWorkflows }),
    },
    {
      method: 'POST',
      path: '/notifications/workflows/restore-defaults',
      summary: 'Put first-party workflows back as shipped (`ids`, or all): edited ones are replaced, deleted ones created again',
      minRole: 'tenant-admin',
      schema: {
        body: { type: 'object', additionalProperties: false, properties: { ids: { type: 'array', minItems: 1, maxItems: 50, uniqueItems: true, items: workflowId } } },
        responses: { 200: notificationSchemas.workflowList },
      },
      handler: async (request) => {
        const ids = (request.body as { ids?: string[] } | undefined)?.ids;
        const unknown = (ids ?? []).filter((id) => !defaultWorkflows.some((w) => w.id === id));
        if (unknown.length > 0) {
          throw new VvError('VV_VALIDATION', {
            params: { reason: `Not first-party workflows: ${unknown.map((id) => `"${id}"`).join(', ')}` },
            errors: unknown.map((id) => ({ pointer: `/ids/${ids!.indexOf(id)}`, in: 'body' as const, message: `"${id}" is not a first-party workflow` })),
          });
        }
        const restored = [];
        for (const w of defaultWorkflows.filter((d) => !ids || ids.includes(d.id))) {
          const { workflow } = await workflows.put(request.tenant.id, w, 'replace');
          await audit.record({ action: 'notification-workflow.restored', target: workflow.id, after: workflow });
          restored.push(workflow);
        }
        return { items: restored };
      },
    },
  ];
}
