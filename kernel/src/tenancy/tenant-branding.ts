import { createHash } from 'node:crypto';
import { VvError, type FieldProblem, type JsonSchema, type TenantBranding, type TenantContext, type TenantLogo } from '@valueverse/plugin-sdk';
import type { Auditor } from '../audit/auditor';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
import type { KernelStore } from './kernel-store';

/** Most bytes of a logo: it travels in each report, PDF and share view. */
export const MAX_LOGO_BYTES = 64 * 1024;

const colour = { type: ['string', 'null'], pattern: '^#[0-9a-fA-F]{6}$' } as const;

/** `PUT /api/v1/admin/tenants/:tenantId/branding`: a field left out is kept, `null` clears it. */
export const brandingSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    primaryColor: colour,
    accentColor: colour,
    logo: {
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['mediaType', 'data'],
          // SVG is refused rather than sanitised: it is a document that can carry script and external references.
          properties: { mediaType: { enum: ['image/png', 'image/jpeg'] }, data: { type: 'string', minLength: 8, maxLength: Math.ceil(MAX_LOGO_BYTES / 3) * 4 + 4 } },
        },
      ],
    },
  },
};

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG = Buffer.from([0xff, 0xd8, 0xff]);

/** The logo's problems: not base64, over the size limit, or bytes that are not the image type it claims. */
export function logoProblems(logo: { mediaType: string; data: string }): FieldProblem[] {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(logo.data)) return [{ pointer: '/logo/data', message: 'must be base64' }];
  const bytes = Buffer.from(logo.data, 'base64');
  if (bytes.length > MAX_LOGO_BYTES) return [{ pointer: '/logo/data', message: `must be at most ${MAX_LOGO_BYTES / 1024} kB (it is ${Math.ceil(bytes.length / 1024)} kB)` }];
  const magic = logo.mediaType === 'image/png' ? PNG : JPEG;
  if (!bytes.subarray(0, magic.length).equals(magic)) return [{ pointer: '/logo/data', message: `is not a ${logo.mediaType === 'image/png' ? 'PNG' : 'JPEG'} image` }];
  return [];
}

/**
 * Refuses a logo written through a tenant's settings (`POST`/`PATCH /admin/tenants`): the logo is kept apart from the
 * tenant, so that tenant reads never carry it, and is set through the branding route, which checks the image.
 */
export function refuseLogoSetting(tenantId: string, settings: Readonly<Record<string, unknown>> | undefined): void {
  const branding = settings?.['branding'];
  if (typeof branding === 'object' && branding !== null && !Array.isArray(branding) && 'logo' in branding) {
    throw new VvError('VV_TENANT_LOGO_NOT_A_SETTING', {
      params: { tenant: tenantId },
      errors: [{ pointer: '/settings/branding/logo', message: `is set with PUT /api/v1/admin/tenants/${tenantId}/branding` }],
    });
  }
}

/**
 * Problems of a `branding` value written through a tenant's settings (`POST`/`PATCH /admin/tenants`), checked as the
 * branding route checks its colours: `#rrggbb`, nothing else (a logo is refused before, by `refuseLogoSetting`).
 */
export function brandingSettingProblems(branding: unknown): FieldProblem[] {
  const at = '/settings/branding';
  if (branding === undefined) return [];
  if (typeof branding !== 'object' || branding === null || Array.isArray(branding)) return [{ pointer: at, message: 'must be an object' }];
  const problems: FieldProblem[] = [];
  for (const [key, value] of Object.entries(branding)) {
    if (key === 'primaryColor' || key === 'accentColor') {
      if (value !== null && (typeof value !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(value))) problems.push({ pointer: `${at}/${key}`, message: 'must be a colour #rrggbb' });
    } else problems.push({ pointer: `${at}/${key}`, message: 'is not a branding setting' });
  }
  return problems;
}

/** The colours kept in a tenant's settings, or undefined when none is set. */
export function brandingOf(settings: Readonly<Record<string, unknown>> | undefined): TenantBranding | undefined {
  const branding = settings?.['branding'];
  if (typeof branding !== 'object' || branding === null) return undefined;
  const { primaryColor, accentColor } = branding as Record<string, unknown>;
  // Only the colours: whatever else a settings object holds never reaches a plugin's request context.
  return {
    ...(typeof primaryColor === 'string' ? { primaryColor } : {}),
    ...(typeof accentColor === 'string' ? { accentColor } : {}),
  };
}

/** The tenant as plugins see it: id, name and, when set, its colours (never its logo). */
export function tenantContextOf(view: { readonly tenant: { readonly id: string; readonly name: string; readonly settings: Readonly<Record<string, unknown>> } }): TenantContext {
  const branding = brandingOf(view.tenant.settings);
  return branding ? { id: view.tenant.id, name: view.tenant.name, branding } : { id: view.tenant.id, name: view.tenant.name };
}

/** A branding as the route answers it: the colours, and the logo when there is one. */
type FullBranding = TenantBranding & { readonly logo?: TenantLogo };

/** What the audit log keeps of a branding: the colours and the logo's digest, never the image. */
function audited(branding: FullBranding | undefined): Record<string, unknown> | undefined {
  if (!branding) return undefined;
  const { logo, ...colours } = branding;
  return { ...colours, ...(logo ? { logo: { mediaType: logo.mediaType, sha256: createHash('sha256').update(logo.data).digest('hex') } } : {}) };
}

/**
 * `/api/v1/admin/tenants/:tenantId/branding`: the tenant's logo and colours, read by any member (the console
 * brands the report with them) and set by its admins. The colours are kept in the tenant's settings, so every
 * request's tenant context carries them; the logo in a row of its own (`KernelStore.getTenantLogo`), read only here
 * and by the documents that show it (`coreServices.branding`).
 */
export function tenantBrandingRoutes(deps: { store: KernelStore; onTenantChanged: (tenantId: string) => Promise<void>; auditor: Auditor }): KernelRoute[] {
  const { store, onTenantChanged, auditor } = deps;
  const routes = new KernelRouteList();
  const tenantOrThrow = async (tenantId: string) => {
    const tenant = await store.getTenant(tenantId);
    if (!tenant) throw new VvError('VV_TENANT_UNKNOWN', { params: { tenant: tenantId } });
    return tenant;
  };
  const full = (colours: TenantBranding | undefined, logo: TenantLogo | undefined): FullBranding => ({ ...colours, ...(logo ? { logo } : {}) });

  routes.get('/api/v1/admin/tenants/:tenantId/branding', { access: 'viewer', summary: "The tenant's logo and colours (for its reports)" }, async (ctx) => {
    const tenant = await tenantOrThrow(ctx.params.tenantId!);
    ctx.body = full(brandingOf(tenant.settings), await store.getTenantLogo(tenant.id));
  });

  routes.put(
    '/api/v1/admin/tenants/:tenantId/branding',
    { access: 'tenant-admin', summary: 'Set the tenant’s logo (PNG or JPEG, at most 64 kB; SVG refused) and colours; null clears a field', body: brandingSchema },
    async (ctx, input) => {
      const patch = input.body<{ primaryColor?: string | null; accentColor?: string | null; logo?: TenantLogo | null }>();
      if (patch.logo) {
        const problems = logoProblems(patch.logo);
        if (problems.length > 0) throw VvError.validation(problems);
      }
      const tenant = await tenantOrThrow(ctx.params.tenantId!);
      const colours = brandingOf(tenant.settings);
      const logoBefore = await store.getTenantLogo(tenant.id);
      const nextColours: Record<string, string> = { ...colours };
      for (const key of ['primaryColor', 'accentColor'] as const) {
        const value = patch[key];
        if (value === null) delete nextColours[key];
        else if (value !== undefined) nextColours[key] = value.toLowerCase();
      }
      if (patch.primaryColor !== undefined || patch.accentColor !== undefined) {
        await store.updateTenant(tenant.id, { settings: { ...tenant.settings, branding: nextColours } });
        await onTenantChanged(tenant.id);
      }
      // Stored as bytes and answered as the canonical base64 of those bytes.
      const logo =
        patch.logo === undefined
          ? logoBefore
          : patch.logo === null
            ? undefined
            : { mediaType: patch.logo.mediaType, data: Buffer.from(patch.logo.data, 'base64').toString('base64') };
      if (patch.logo !== undefined) await store.setTenantLogo(tenant.id, logo ?? null);
      const before = full(colours, logoBefore);
      const after = full(nextColours, logo);
      await auditor.record({ action: 'tenant.branding-changed', tenantId: tenant.id, target: `tenant:${tenant.id}`, before: audited(before), after: audited(after) }, ctx);
      ctx.body = after;
    },
  );
  return routes.routes;
}
