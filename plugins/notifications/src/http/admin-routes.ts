import { randomUUID } from 'node:crypto';
import { VvError, respond, type AuditLog, type RouteDefinition, type TenantDirectory } from '@valueverse/plugin-sdk';
import { configuredChannels, type ChannelSettings } from '../delivery/channel-senders';
import { deliveryStatuses } from '../delivery/delivery';
import type { DeliveryWorker } from '../delivery/delivery-worker';
import type { NotificationDispatcher } from '../delivery/notification-dispatcher';
import { defaultTemplates } from '../templates/default-templates';
import { renderTemplate, validateTemplate, type TemplateParts } from '../templates/template-engine';
import type { TemplateStore } from '../templates/template-store';
import { channelNames, type ChannelName, type Workflow } from '../workflows/workflow';
import { checkWorkflow } from '../workflows/workflow-check';
import type { WorkflowStore } from '../workflows/workflow-store';
import { notificationSchemas as s } from './notification-schemas';

export interface AdminRouteDeps {
  readonly workflows: WorkflowStore;
  readonly templates: TemplateStore;
  readonly worker: DeliveryWorker;
  readonly dispatcher: NotificationDispatcher;
  readonly audit: AuditLog;
  /** The previewing admin's directory entry gives `recipient.name` its value. */
  readonly directory?: TenantDirectory;
}

const workflowParams = { type: 'object', required: ['workflowId'], properties: { workflowId: { type: 'string', pattern: '^[a-z0-9][a-z0-9_.-]{0,62}$' } } } as const;
const templateParams = { type: 'object', required: ['key', 'locale'], properties: { key: s.key, locale: s.locale } } as const;

/** Tenant-admin routes: channels (status, send a test), workflows, templates (with preview), the delivery log. */
export function createAdminRoutes(deps: AdminRouteDeps): RouteDefinition[] {
  const { workflows, templates, worker, dispatcher, audit, directory } = deps;
  const admin = 'tenant-admin' as const;
  const checkTemplate = (tenantId: string, key: string) =>
    templates.resolve(tenantId, key, 'en').catch(() => {
      throw new VvError('VV_NOTIFICATIONS_TEMPLATE_UNKNOWN', {
        params: { template: key, tenant: tenantId },
        errors: [{ pointer: '/template', in: 'body', message: `names no template: "${key}"` }],
      });
    });
  const saveTemplate = async (tenantId: string, key: string, locale: string, body: TemplateParts & { sampleData?: Record<string, unknown> }) => {
    validateTemplate(body, body.sampleData ?? defaultTemplates[key]?.sampleData);
    const saved = await templates.put(tenantId, key, locale, { subject: body.subject, text: body.text, html: body.html });
    await audit.record({ action: 'notification-template.saved', target: `${key}/${locale}`, after: saved });
    return saved;
  };
  return [
    {
      method: 'GET',
      path: '/notifications/channels',
      summary: 'Which channels the tenant has configured',
      minRole: admin,
      handler: (request) => {
        const configured = configuredChannels(request.config as ChannelSettings);
        const settings = request.config as ChannelSettings;
        return {
          items: channelNames.map((name) => ({
            channel: name,
            configured: configured.has(name),
            ...(name === 'email' ? { fallback: Boolean(settings.email?.fallbackSmtp?.host) } : {}),
          })),
        };
      },
    },
    {
      method: 'POST',
      path: '/notifications/channels/test',
      summary: 'Send a test notification on one channel (`{channel}`) to the caller, now, and answer with the delivery and its attempt log',
      minRole: admin,
      schema: { body: { type: 'object', additionalProperties: false, required: ['channel'], properties: { channel: s.channel } }, responses: { 200: s.delivery } },
      handler: async (request) => {
        const channel = (request.body as { channel: ChannelName }).channel;
        if (!configuredChannels(request.config as ChannelSettings).has(channel)) {
          throw new VvError('VV_NOTIFICATIONS_CHANNEL_NOT_CONFIGURED', { params: { channel, tenant: request.tenant.id } });
        }
        const to = channel === 'email' ? [{ email: request.user.email ?? '' }] : [{ userId: request.user.id }];
        if (channel === 'email' && !request.user.email) {
          throw new VvError('VV_VALIDATION', { params: { reason: 'The caller has no email address to send the test to' } });
        }
        const result = await dispatcher.dispatch(request.tenant.id, {
          eventId: `test:${randomUUID()}`,
          recipients: to,
          channels: [channel],
          category: 'test',
          critical: true,
          template: 'direct',
          data: { subject: 'ValueVerse test notification', body: `A test of the ${channel} channel, sent by ${request.user.email ?? request.user.id}.` },
        });
        const created = result.deliveries[0];
        if (!created) throw new VvError('VV_CONFLICT', { params: { reason: 'Nothing to send the test to' } });
        return channel === 'inbox' ? worker.get(request.tenant.id, created.id) : worker.sendNow(request.tenant.id, created.id);
      },
    },
    {
      method: 'GET',
      path: '/notifications/workflows',
      summary: "The tenant's workflows (first-party ones included until deleted)",
      minRole: admin,
      schema: { responses: { 200: s.workflowList } },
      handler: async (request) => ({ items: await workflows.list(request.tenant.id) }),
    },
    {
      method: 'GET',
      path: '/notifications/workflows/:workflowId',
      summary: 'One workflow',
      minRole: admin,
      schema: { params: workflowParams, responses: { 200: s.workflowOut } },
      handler: (request) => workflows.get(request.tenant.id, request.params.workflowId!),
    },
    {
      method: 'POST',
      path: '/notifications/workflows',
      summary: 'Create a workflow (`id` in the body): event pattern, recipients, channels, template, category, critical, digest window',
      minRole: admin,
      schema: {
        body: { ...s.workflow, required: ['id', ...s.workflow.required], properties: { id: workflowParams.properties.workflowId, ...s.workflow.properties } },
        responses: { 201: s.workflowOut },
      },
      handler: async (request) => {
        const body = request.body as Workflow;
        checkWorkflow(body);
        await checkTemplate(request.tenant.id, body.template);
        const { workflow, created } = await workflows.put(request.tenant.id, body, 'create');
        if (!created) throw new VvError('VV_CONFLICT', { params: { reason: `A workflow "${body.id}" exists; PUT /notifications/workflows/${body.id} replaces it` } });
        await audit.record({ action: 'notification-workflow.created', target: workflow.id, after: workflow });
        return respond(201, workflow);
      },
    },
    {
      method: 'PUT',
      path: '/notifications/workflows/:workflowId',
      summary: 'Replace a workflow (first-party ones included)',
      minRole: admin,
      schema: { params: workflowParams, body: s.workflow, responses: { 200: s.workflowOut } },
      handler: async (request) => {
        const body = request.body as Omit<Workflow, 'id'>;
        const before = await workflows.get(request.tenant.id, request.params.workflowId!);
        checkWorkflow({ ...body, id: before.id });
        await checkTemplate(request.tenant.id, body.template);
        const { workflow } = await workflows.put(request.tenant.id, { ...body, id: before.id }, 'replace');
        await audit.record({ action: 'notification-workflow.updated', target: workflow.id, before, after: workflow });
        return workflow;
      },
    },
    {
      method: 'DELETE',
      path: '/notifications/workflows/:workflowId',
      summary: 'Delete a workflow (a first-party one stays deleted)',
      minRole: admin,
      schema: { params: workflowParams },
      handler: async (request) => {
        const before = await workflows.delete(request.tenant.id, request.params.workflowId!);
        await audit.record({ action: 'notification-workflow.deleted', target: before.id, before });
        return undefined;
      },
    },
    {
      method: 'GET',
      path: '/notifications/templates',
      summary: "The tenant's templates and the built-in ones it has not replaced",
      minRole: admin,
      handler: async (request) => ({ items: await templates.list(request.tenant.id) }),
    },
    {
      method: 'POST',
      path: '/notifications/templates',
      summary: 'Save a template for a new key or locale (`key`, `locale` in the body; Liquid; refused with the unknown variables named)',
      minRole: admin,
      schema: { body: { ...s.template, required: ['key', 'locale', ...s.template.required], properties: { key: s.key, locale: s.locale, ...s.template.properties } } },
      handler: async (request) => {
        const body = request.body as TemplateParts & { key: string; locale: string; sampleData?: Record<string, unknown> };
        return saveTemplate(request.tenant.id, body.key, body.locale, body);
      },
    },
    {
      method: 'PUT',
      path: '/notifications/templates/:key/:locale',
      summary: 'Replace the template of a key the tenant has (saved or built in) for a locale (Liquid; refused with the unknown variables named)',
      minRole: admin,
      schema: { params: templateParams, body: s.template },
      handler: async (request) => {
        const key = request.params.key!;
        await templates.resolve(request.tenant.id, key, 'en');
        return saveTemplate(request.tenant.id, key, request.params.locale!, request.body as TemplateParts & { sampleData?: Record<string, unknown> });
      },
    },
    {
      method: 'DELETE',
      path: '/notifications/templates/:key/:locale',
      summary: "Delete the tenant's template (the built-in one, if any, applies again)",
      minRole: admin,
      schema: { params: templateParams },
      handler: async (request) => {
        await templates.delete(request.tenant.id, request.params.key!, request.params.locale!);
        await audit.record({ action: 'notification-template.deleted', target: `${request.params.key}/${request.params.locale}` });
        return undefined;
      },
    },
    {
      method: 'POST',
      path: '/notifications/templates/preview',
      summary: 'Render a saved template (key, locale) or the given parts with sample data',
      minRole: admin,
      schema: { body: s.preview },
      handler: async (request) => {
        const body = request.body as Partial<TemplateParts> & { key?: string; locale?: string; data?: Record<string, unknown> };
        const saved = body.key ? await templates.resolve(request.tenant.id, body.key, body.locale ?? 'en') : undefined;
        const parts: TemplateParts = {
          subject: body.subject ?? saved?.subject ?? '',
          text: body.text ?? saved?.text ?? '',
          html: body.html !== undefined ? body.html : saved?.html,
        };
        const data = body.data ?? (body.key ? defaultTemplates[body.key]?.sampleData : undefined) ?? {};
        validateTemplate(parts, body.data ? undefined : data);
        const [me] = directory ? await directory.members(request.tenant.id, { userIds: [request.user.id] }) : [];
        return renderTemplate(parts, {
          data,
          recipient: { userId: request.user.id, email: request.user.email ?? null, name: me?.displayName ?? null },
          tenant: { id: request.tenant.id, name: request.tenant.name },
          event: { id: 'preview', name: null },
          category: 'preview',
          link: null,
          unsubscribeUrl: '#unsubscribe',
        });
      },
    },
    {
      method: 'GET',
      path: '/notifications/deliveries',
      summary: 'The delivery log, newest first: status, reason and attempt log of each (event, recipient, channel)',
      minRole: admin,
      schema: {
        query: {
          type: 'object',
          additionalProperties: false,
          properties: {
            status: { type: 'string', enum: [...deliveryStatuses] },
            channel: s.channel,
            eventId: { type: 'string', maxLength: 200 },
            recipient: { type: 'string', maxLength: 400 },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
            cursor: { type: 'string', maxLength: 500 },
          },
        },
        responses: { 200: s.deliveryPage },
      },
      handler: (request) => worker.list(request.tenant.id, request.query),
    },
    {
      method: 'GET',
      path: '/notifications/deliveries/:id',
      summary: 'One delivery with its attempt log',
      minRole: admin,
      schema: { params: s.idParams, responses: { 200: s.delivery } },
      handler: (request) => worker.get(request.tenant.id, request.params.id!),
    },
    {
      method: 'POST',
      path: '/notifications/deliveries/:id/retry',
      summary: 'Queue a failed or dead delivery again',
      minRole: admin,
      schema: { params: s.idParams, responses: { 202: s.delivery } },
      handler: async (request) => {
        const delivery = await worker.retry(request.tenant.id, request.params.id!);
        await audit.record({ action: 'notification-delivery.retried', target: delivery.id });
        return respond(202, delivery);
      },
    },
    {
      method: 'POST',
      path: '/notifications/digests/flush',
      summary: 'Send the held notifications that are due now (quiet hours over, digest windows closed); the plugin also does this every minute',
      minRole: admin,
      handler: (request) => worker.flushDue(request.tenant.id),
    },
  ];
}
