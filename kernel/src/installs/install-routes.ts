import { VvError, isVvError, type JsonSchema } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { KernelRouteList, type KernelContext, type KernelRoute } from '../http/kernel-route';
import type { InstallService } from './install-service';
import type { InstallStore, TrustLevel } from './install-store';
import type { PackageCodec } from './package-codec';

/** A package file is at most 20 MB (PACKAGE-SPEC "Limits"). */
export const MAX_PACKAGE_BYTES = 20 * 1024 * 1024;

const pluginIdPattern = '^[a-z][a-z0-9-]{1,62}$';
const permissions: JsonSchema = { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 200 } };

export const postInstallSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['pluginId', 'version'],
  properties: {
    pluginId: { type: 'string', pattern: pluginIdPattern },
    version: { type: 'string', minLength: 1, maxLength: 64 },
    approvePermissions: permissions,
  },
};

export const putInstallSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: { version: { type: 'string', minLength: 1, maxLength: 64 }, approvePermissions: permissions },
};

export const postTrustedKeySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['publicKeyPem', 'name'],
  properties: {
    publicKeyPem: { type: 'string', minLength: 40, maxLength: 4000 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
    trust: { type: 'string', enum: ['in-process', 'sandboxed'] },
  },
};

/** `GET /api/v1/admin/marketplace/:pluginId` (`InstallService.details`). */
export const marketplacePackageSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'displayName', 'latestVersion', 'versions', 'installed'],
  properties: {
    id: { type: 'string' },
    displayName: { type: 'string' },
    description: { type: 'string' },
    readme: { type: 'string', description: "README.md of the newest version ('' when it has none)" },
    categories: { type: 'array', items: { type: 'string' } },
    publisher: { type: 'object', additionalProperties: false, required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
    downloads: { type: 'integer', minimum: 0 },
    latestVersion: { type: ['string', 'null'], description: 'The newest version that is not yanked' },
    icon: { type: 'string' },
    versions: {
      type: 'array',
      description: 'Newest first',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['version', 'kernel', 'compatible', 'permissions', 'signer'],
        properties: {
          version: { type: 'string' },
          kernel: { type: 'string', description: "The manifest's kernel range" },
          compatible: { type: 'boolean', description: "Whether this deployment's kernel satisfies `kernel`" },
          publishedAt: { type: 'string', format: 'date-time' },
          yanked: { type: 'boolean' },
          integrity: { type: 'string', description: 'sha512-<base64> of the package file' },
          size: { type: 'integer', minimum: 0, description: 'Bytes of the package file' },
          permissions: { type: 'array', items: { type: 'string' } },
          signer: {
            type: 'object',
            additionalProperties: false,
            required: ['keyId', 'trusted', 'trust'],
            properties: {
              keyId: { type: 'string' },
              trusted: { type: 'boolean', description: 'Whether this deployment trusts the key (GET /api/v1/admin/trusted-keys)' },
              trust: { type: ['string', 'null'], enum: ['in-process', 'sandboxed', null] },
            },
          },
        },
      },
    },
    installed: {
      type: ['object', 'null'],
      additionalProperties: false,
      required: ['version', 'state'],
      properties: { version: { type: 'string' }, state: { type: 'string', enum: ['installed', 'uninstalled'] } },
    },
  },
};

const marketplaceQuery: JsonSchema = { type: 'object', properties: { q: { type: 'string', maxLength: 200 } } };
const deleteQuery: JsonSchema = { type: 'object', properties: { force: { type: 'string', enum: ['true', 'false', '1', '0'] } } };
const uploadQuery: JsonSchema = { type: 'object', properties: { approvePermissions: { type: 'string', maxLength: 4000 } } };

/**
 * The marketplace as platform admins drive it: the registry's catalog, installs (install, upgrade or roll back,
 * uninstall) and the publisher keys this deployment trusts. Every change is audited.
 */
export function installRoutes(deps: { installs: InstallService; store: InstallStore; codec?: PackageCodec; auditor: Auditor }): KernelRoute[] {
  const { installs, store, auditor } = deps;
  const routes = new KernelRouteList();
  /** A refused change is audited too (with its code): an operator sees who tried to install what, and why it failed. */
  const auditRefusal = async <T>(ctx: KernelContext, action: string, target: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      const refusal = isVvError(error) ? { code: error.code, message: error.message } : { code: 'VV_INTERNAL', message: 'unexpected error' };
      await auditor.record({ action, target, after: { refused: refusal } }, ctx).catch(() => undefined);
      throw error;
    }
  };
  const actorOf = (ctx: KernelContext) => {
    const user = ctx.state.principal!.user;
    return user.kind === 'api-key' ? `apikey:${user.id}` : user.id;
  };

  routes.get(
    '/api/v1/admin/marketplace',
    { access: 'platform-admin', summary: "The configured registry's catalog (?q=), with kernel compatibility and installed state", query: marketplaceQuery },
    async (ctx, input) => {
      ctx.body = { items: await installs.catalog(input.query<{ q?: string }>().q ?? '') };
    },
  );

  routes.get(
    '/api/v1/admin/marketplace/:pluginId',
    {
      access: 'platform-admin',
      summary: 'One package of the configured registry: readme, versions with permissions, signer (and whether it is trusted here), kernel range and compatibility',
      response: marketplacePackageSchema,
    },
    async (ctx) => {
      ctx.body = await installs.details(ctx.params.pluginId!);
    },
  );

  routes.get(
    '/api/v1/admin/installs',
    { access: 'platform-admin', summary: 'Installed packages: version, source, signer, trust, and state and error on every instance' },
    async (ctx) => {
      ctx.body = { items: await installs.list() };
    },
  );

  routes.post(
    '/api/v1/admin/installs',
    {
      access: 'platform-admin',
      summary: 'Install a plugin from the registry ({pluginId, version}) or an uploaded package file (application/octet-stream; ?approvePermissions=a,b)',
      body: postInstallSchema,
      query: uploadQuery,
      alsoAccepts: 'application/octet-stream',
    },
    async (ctx, input) => {
      const actor = actorOf(ctx);
      const upload = ctx.is('application/octet-stream') !== false;
      const body = upload ? undefined : input.body<{ pluginId: string; version: string; approvePermissions?: string[] }>();
      const record = await auditRefusal(ctx, 'plugin.install-refused', body ? `plugin:${body.pluginId}` : 'plugin:(upload)', async () => {
        if (body) return installs.install({ ...body, actor });
        const bytes = await readPackageBody(ctx);
        const approve = input.query<{ approvePermissions?: string }>().approvePermissions;
        return installs.install({ bytes, actor, approvePermissions: approve ? approve.split(',').map((p) => p.trim()) : [] });
      });
      await auditor.record({ action: 'plugin.installed', target: `plugin:${record.pluginId}`, after: record }, ctx);
      ctx.status = 201;
      ctx.body = record;
    },
  );

  routes.put(
    '/api/v1/admin/installs/:pluginId',
    { access: 'platform-admin', summary: 'Upgrade or roll back an installed plugin to {version}: started beside the old one, switched atomically', body: putInstallSchema },
    async (ctx, input) => {
      const pluginId = ctx.params.pluginId!;
      const before = await store.getInstall(pluginId);
      const body = input.body<{ version: string; approvePermissions?: string[] }>();
      const record = await auditRefusal(ctx, 'plugin.upgrade-refused', `plugin:${pluginId}`, () =>
        installs.change(pluginId, body.version, { approvePermissions: body.approvePermissions, actor: actorOf(ctx) }),
      );
      if (before?.version !== record.version) {
        const action = before?.previousVersion === record.version ? 'plugin.rolled-back' : 'plugin.upgraded';
        await auditor.record({ action, target: `plugin:${pluginId}`, before, after: record }, ctx);
      }
      ctx.body = record;
    },
  );

  routes.delete(
    '/api/v1/admin/installs/:pluginId',
    { access: 'platform-admin', summary: 'Uninstall (409 while tenants have it enabled unless ?force=true); its data is kept for the retention period', query: deleteQuery },
    async (ctx, input) => {
      const pluginId = ctx.params.pluginId!;
      const force = ['true', '1'].includes(input.query<{ force?: string }>().force ?? '');
      const before = await store.getInstall(pluginId);
      const { record, disabledFor } = await auditRefusal(ctx, 'plugin.uninstall-refused', `plugin:${pluginId}`, () => installs.uninstall(pluginId, { force, actor: actorOf(ctx) }));
      for (const tenantId of disabledFor) {
        await auditor.record({ action: 'plugin.disabled', tenantId, target: `plugin:${pluginId}`, after: { enabled: false, reason: 'uninstalled with force' } }, ctx);
      }
      await auditor.record({ action: 'plugin.uninstalled', target: `plugin:${pluginId}`, before, after: { ...record, forced: force, disabledFor } }, ctx);
      ctx.body = { ...record, disabledFor };
    },
  );

  routes.get('/api/v1/admin/trusted-keys', { access: 'platform-admin', summary: 'Publisher keys whose signatures this deployment accepts' }, async (ctx) => {
    ctx.body = { items: await store.listTrustedKeys() };
  });

  routes.post('/api/v1/admin/trusted-keys', { access: 'platform-admin', summary: 'Trust a publisher key (Ed25519 SPKI PEM)', body: postTrustedKeySchema }, async (ctx, input) => {
    const body = input.body<{ publicKeyPem: string; name: string; trust?: TrustLevel }>();
    if (!deps.codec) throw new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: 'package codec', reason: 'this kernel was built without one' } });
    let keyId: string;
    try {
      keyId = deps.codec.keyIdOf(body.publicKeyPem);
    } catch (error) {
      throw VvError.validation([{ pointer: '/publicKeyPem', message: `is not an Ed25519 public key (SPKI PEM): ${(error as Error).message}` }]);
    }
    const key = await store.addTrustedKey({ keyId, publicKeyPem: body.publicKeyPem, name: body.name, trust: body.trust ?? 'in-process', addedBy: actorOf(ctx) });
    await auditor.record({ action: 'trusted-key.added', target: `key:${keyId}`, after: key }, ctx);
    ctx.status = 201;
    ctx.body = key;
  });

  routes.delete('/api/v1/admin/trusted-keys/:keyId', { access: 'platform-admin', summary: 'Stop trusting a publisher key (installed packages keep running)' }, async (ctx) => {
    const keyId = ctx.params.keyId!;
    const before = (await store.listTrustedKeys()).find((k) => k.keyId === keyId);
    if (!before || !(await store.removeTrustedKey(keyId))) throw new VvError('VV_NOT_FOUND', { params: { reason: `No trusted key "${keyId}"` } });
    await auditor.record({ action: 'trusted-key.removed', target: `key:${keyId}`, before }, ctx);
    ctx.status = 204;
  });

  return routes.routes;
}

/** The raw request body, up to `MAX_PACKAGE_BYTES` (413 beyond). */
async function readPackageBody(ctx: KernelContext): Promise<Buffer> {
  const declared = Number(ctx.get('content-length') || '0');
  if (declared > MAX_PACKAGE_BYTES) throw new VvError('VV_PAYLOAD_TOO_LARGE', { params: { limit: '20 MB' } });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PACKAGE_BYTES) throw new VvError('VV_PAYLOAD_TOO_LARGE', { params: { limit: '20 MB' } });
    chunks.push(chunk as Buffer);
  }
  if (size === 0) throw VvError.validation([{ pointer: '', message: 'the package file is empty' }]);
  return Buffer.concat(chunks);
}
