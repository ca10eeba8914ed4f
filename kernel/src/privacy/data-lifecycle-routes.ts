import { VvError, type JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { KernelRouteList, type KernelContext, type KernelRoute } from '../http/kernel-route';
import type { DataLifecycle } from './data-lifecycle';

const MAX_ARCHIVE_BYTES = 100 * 1024 * 1024;

export const erasureSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    userId: { type: 'string', minLength: 1, maxLength: 200 },
    email: { type: 'string', format: 'email', maxLength: 320 },
    names: { type: 'array', maxItems: 10, items: { type: 'string', minLength: 3, maxLength: 200 } },
  },
  anyOf: [{ required: ['userId'] }, { required: ['email'] }],
};

export const retentionSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['policies'],
  properties: {
    policies: { type: 'object', maxProperties: 50, additionalProperties: { type: 'integer', minimum: 1, maximum: 36500 } },
  },
};

const actorOf = (ctx: KernelContext): string => {
  const user = ctx.state.principal!.user;
  return user.kind === 'api-key' ? `apikey:${user.id}` : user.id;
};

async function readArchiveBody(ctx: KernelContext): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_ARCHIVE_BYTES) throw new VvError('VV_PAYLOAD_TOO_LARGE', { params: { limit: '100 MB' } });
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw VvError.validation([{ pointer: '', message: 'the archive is empty' }]);
  return Buffer.concat(chunks);
}

/**
 * `/api/v1/admin/tenants/:tenantId/{exports,imports,erasures,retention}` and `/api/v1/admin/data-classes`: the data
 * lifecycle of a tenant (privacy/data-lifecycle.ts). Every change is audited; an erasure's audit entry names the
 * person by their pseudonym only.
 */
export function dataLifecycleRoutes(deps: { lifecycle: DataLifecycle; auditor: Auditor }): KernelRoute[] {
  const { lifecycle, auditor } = deps;
  const routes = new KernelRouteList();
  const base = '/api/v1/admin/tenants/:tenantId';

  routes.post(`${base}/exports`, { access: 'tenant-admin', summary: 'Start an export of all the tenant’s data (a job); poll it, then download its archive' }, async (ctx) => {
    const record = await lifecycle.requestExport(ctx.params.tenantId!, actorOf(ctx));
    await auditor.record({ action: 'tenant.export-requested', tenantId: record.tenantId, target: `export:${record.id}` }, ctx);
    ctx.status = 202;
    ctx.set('Location', `${ctx.path}/${record.id}`);
    ctx.body = record;
  });

  routes.get(`${base}/exports`, { access: 'tenant-admin', summary: 'The tenant’s exports whose download window is open, newest first' }, async (ctx) => {
    ctx.body = { items: await lifecycle.listExports(ctx.params.tenantId!) };
  });

  routes.get(`${base}/exports/:exportId`, { access: 'tenant-admin', summary: 'One export: its state and, when ready, its manifest (files, row counts, SHA-256)' }, async (ctx) => {
    ctx.body = await lifecycle.getExport(ctx.params.tenantId!, ctx.params.exportId!);
  });

  routes.get(
    `${base}/exports/:exportId/archive`,
    { access: 'tenant-admin', summary: 'Download an export’s archive (gzip’ed tar of JSON Lines and manifest.json) until it expires', produces: 'application/gzip' },
    async (ctx) => {
      const tenantId = ctx.params.tenantId!;
      const bytes = await lifecycle.archive(tenantId, ctx.params.exportId!);
      await auditor.record({ action: 'tenant.export-downloaded', tenantId, target: `export:${ctx.params.exportId}` }, ctx);
      ctx.set('Content-Disposition', `attachment; filename="${tenantId}-export-${ctx.params.exportId}.tar.gz"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.type = 'application/gzip';
      ctx.body = bytes;
    },
  );

  routes.post(
    `${base}/imports`,
    { access: 'platform-admin', summary: 'Restore an export (application/octet-stream) into this tenant, which must hold no data yet', alsoAccepts: 'application/octet-stream' },
    async (ctx) => {
      if (ctx.is('application/octet-stream') === false) throw VvError.validation([{ pointer: '', message: 'send the archive as application/octet-stream' }]);
      const tenantId = ctx.params.tenantId!;
      const reports = await lifecycle.importArchive(tenantId, await readArchiveBody(ctx));
      await auditor.record({ action: 'tenant.imported', tenantId, target: `tenant:${tenantId}`, after: reports }, ctx);
      ctx.body = { stores: reports };
    },
  );

  routes.post(
    `${base}/erasures`,
    { access: 'tenant-admin', summary: 'Erase a person ({userId} or {email}, optional names) from every store; answers what each store did', body: erasureSchema },
    async (ctx, input) => {
      const tenantId = ctx.params.tenantId!;
      const body = input.body<{ userId?: string; email?: string; names?: string[] }>();
      const subject = await lifecycle.subjectOf(tenantId, body);
      const report = await lifecycle.erase(tenantId, subject);
      await auditor.record({ action: 'person.erased', tenantId, target: `person:${subject.pseudonym}`, after: report }, ctx);
      ctx.body = report;
    },
  );

  routes.get(`${base}/retention`, { access: 'tenant-admin', summary: 'The tenant’s retention policies (days per data class) and the classes that exist' }, async (ctx) => {
    ctx.body = { policies: await lifecycle.policies(ctx.params.tenantId!), dataClasses: lifecycle.dataClasses() };
  });

  routes.put(
    `${base}/retention`,
    { access: 'tenant-admin', summary: 'Replace the tenant’s retention policies: {policies: {class: days}}; a class left out is kept', body: retentionSchema },
    async (ctx, input) => {
      const tenantId = ctx.params.tenantId!;
      const before = await lifecycle.policies(tenantId);
      const policies = await lifecycle.setPolicies(tenantId, input.body<{ policies: Record<string, number> }>().policies);
      await auditor.record({ action: 'tenant.retention-changed', tenantId, target: `tenant:${tenantId}`, before, after: policies }, ctx);
      ctx.body = { policies, dataClasses: lifecycle.dataClasses() };
    },
  );

  return routes.routes;
}
