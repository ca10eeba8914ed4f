/** Tenant branding (issue 19, "tenant logo and colours from settings"): validated, set by admins, read by members. */
import { coreServices, definePlugin, isVvError, type TenantBrandingService } from '@valueverse/plugin-sdk';
import { bootKernel, type BootedKernel } from '../__fixtures__/boot-kernel';
import { manifest } from '../__fixtures__/kernel-test-support';
import { MAX_LOGO_BYTES } from './tenant-branding';

const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>').toString('base64');

describe('tenant branding', () => {
  let k: BootedKernel;
  const put = (body: unknown, role: 'tenant-admin' | 'member' = 'tenant-admin', tenant = 'acme') =>
    k.request('PUT', `/api/v1/admin/tenants/${tenant}/branding`, { body, role, tenant });

  beforeAll(async () => {
    k = await bootKernel({ tenants: ['acme', 'globex'] });
  });
  afterAll(async () => {
    await k?.close();
  });

  it('is set by tenant admins, read by any member, and audited without the image', async () => {
    expect((await k.request('GET', '/api/v1/admin/tenants/acme/branding', { role: 'viewer' })).body).toEqual({});
    const set = await put({ primaryColor: '#1A2B3C', accentColor: '#00897b', logo: { mediaType: 'image/png', data: PNG } });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ primaryColor: '#1a2b3c', accentColor: '#00897b', logo: { mediaType: 'image/png', data: PNG } });
    const read = await k.request('GET', '/api/v1/admin/tenants/acme/branding', { role: 'viewer' });
    expect(read.body.primaryColor).toBe('#1a2b3c');
    // A field left out is kept; null clears it.
    expect((await put({ accentColor: null })).body).toEqual({ primaryColor: '#1a2b3c', logo: { mediaType: 'image/png', data: PNG } });
    expect((await k.store.getTenant('acme'))!.settings['branding']).toMatchObject({ primaryColor: '#1a2b3c' });
    const audit = await k.request('GET', '/api/v1/admin/audit?action=tenant.branding-changed');
    expect(JSON.stringify(audit.body)).not.toContain(PNG);
    expect(JSON.stringify(audit.body)).toContain('sha256');
  });

  it('refuses members, other tenants, bad colours, SVG, images that are not what they claim, and logos over 64 kB', async () => {
    expect((await put({ primaryColor: '#000000' }, 'member')).status).toBe(403);
    expect((await k.request('PUT', '/api/v1/admin/tenants/globex/branding', { body: { primaryColor: '#000000' } })).status).toBe(404);
    expect((await put({ primaryColor: 'red' })).body.code).toBe('VV_VALIDATION');
    const svg = await put({ logo: { mediaType: 'image/svg+xml', data: SVG } });
    expect(svg.status).toBe(400);
    const notPng = await put({ logo: { mediaType: 'image/png', data: SVG } });
    expect(notPng.status).toBe(400);
    expect(notPng.body.errors).toEqual([{ pointer: '/logo/data', message: 'is not a PNG image' }]);
    const big = Buffer.concat([Buffer.from(PNG, 'base64'), Buffer.alloc(MAX_LOGO_BYTES)]).toString('base64');
    const tooBig = await put({ logo: { mediaType: 'image/png', data: big } });
    expect(tooBig.status).toBe(400);
    expect((await k.request('GET', '/api/v1/admin/tenants/globex/branding', { tenant: 'globex', role: 'viewer' })).body).toEqual({});
  });

  it('is checked the same way when a platform admin writes it through the tenant settings; a logo is refused there', async () => {
    const patch = (settings: unknown) => k.request('PATCH', '/api/v1/admin/tenants/globex', { role: 'platform-admin', body: { settings } });
    // The logo has a row of its own and one way in, the branding route: any logo in the settings is refused, a real
    // PNG as much as an SVG, with a code that says where it goes.
    for (const logo of [{ mediaType: 'image/svg+xml', data: SVG }, { mediaType: 'image/png', data: PNG }, null]) {
      const refused = await patch({ branding: { primaryColor: '#112233', logo } });
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('VV_TENANT_LOGO_NOT_A_SETTING');
      expect(refused.body.errors).toEqual([{ pointer: '/settings/branding/logo', message: 'is set with PUT /api/v1/admin/tenants/globex/branding' }]);
    }
    const created = await k.request('POST', '/api/v1/admin/tenants', {
      role: 'platform-admin',
      body: { id: 'initech', name: 'Initech', settings: { branding: { logo: { mediaType: 'image/png', data: PNG } } } },
    });
    expect(created.body.code).toBe('VV_TENANT_LOGO_NOT_A_SETTING');
    expect(await k.store.getTenant('initech')).toBeUndefined();
    expect((await patch({ branding: { primaryColor: 'red', banner: 'x' } })).body.errors).toHaveLength(2);
    expect((await k.store.getTenant('globex'))!.settings['branding']).toBeUndefined();
    expect(await k.store.getTenantLogo('globex')).toBeUndefined();
    expect((await patch({ branding: { primaryColor: '#112233' } })).status).toBe(200);
    expect((await k.request('GET', '/api/v1/admin/tenants/globex/branding', { tenant: 'globex', role: 'viewer' })).body).toEqual({ primaryColor: '#112233' });
  });
});

// The logo lived base64 in the tenant's settings, so every tenant read carried it: the tenant list (up to 200 a
// page), each instance's tenant view and every request's tenant context. It has a row of its own now.
describe('tenant logo, kept apart from the tenant', () => {
  let k: BootedKernel;
  let service: TenantBrandingService;
  const brander = {
    manifest: manifest('brander', { routes: ['/brander'] }),
    plugin: definePlugin({
      deps: { http: coreServices.http, branding: coreServices.branding },
      setup({ http, branding }) {
        service = branding;
        http.route({ method: 'GET', path: '/brander/context', handler: (req) => ({ tenant: req.tenant }) });
        http.route({ method: 'GET', path: '/brander/logo', handler: async (req) => ({ logo: (await branding.logo(req.tenant.id)) ?? null }) });
        http.route({ method: 'GET', path: '/brander/logo-of/:tenantId', handler: async (req) => ({ logo: (await branding.logo(req.params['tenantId']!)) ?? null }) });
      },
    }),
  };

  beforeAll(async () => {
    k = await bootKernel({ tenants: ['acme', 'globex'], plugins: [brander] });
    const set = await k.request('PUT', '/api/v1/admin/tenants/acme/branding', { body: { primaryColor: '#1A2B3C', logo: { mediaType: 'image/png', data: PNG } } });
    expect(set.status).toBe(200);
  });
  afterAll(async () => {
    await k?.close();
  });

  it('is not in the tenant list, the tenant read, its audit entries or the tenant’s settings', async () => {
    const list = await k.request('GET', '/api/v1/admin/tenants?limit=200', { role: 'platform-admin' });
    expect(list.status).toBe(200);
    expect(list.body.items.find((t: { id: string }) => t.id === 'acme').settings).toEqual({ branding: { primaryColor: '#1a2b3c' } });
    expect(JSON.stringify(list.body)).not.toContain(PNG.slice(0, 40));
    const one = await k.request('GET', '/api/v1/admin/tenants/acme');
    expect(JSON.stringify(one.body)).not.toContain(PNG.slice(0, 40));
    expect(await k.store.getTenantLogo('acme')).toEqual({ mediaType: 'image/png', data: PNG });
    // A settings change round-trips without the logo, and leaves it where it is.
    const renamed = await k.request('PATCH', '/api/v1/admin/tenants/acme', { role: 'platform-admin', body: { name: 'Acme Corp', settings: one.body.settings } });
    expect(renamed.status).toBe(200);
    expect(await k.store.getTenantLogo('acme')).toEqual({ mediaType: 'image/png', data: PNG });
    const audit = await k.request('GET', '/api/v1/admin/audit?action=tenant.updated');
    expect(JSON.stringify(audit.body)).not.toContain(PNG.slice(0, 40));
  });

  it('is not in a plugin’s request context (colours are); plugins read it through core.branding, for their tenant only', async () => {
    const context = await k.request('GET', '/api/v1/brander/context', { role: 'viewer' });
    expect(context.body.tenant).toEqual({ id: 'acme', name: expect.any(String), branding: { primaryColor: '#1a2b3c' } });
    expect((await k.request('GET', '/api/v1/brander/logo', { role: 'viewer' })).body).toEqual({ logo: { mediaType: 'image/png', data: PNG } });
    expect((await k.request('GET', '/api/v1/brander/logo', { role: 'viewer', tenant: 'globex' })).body).toEqual({ logo: null });
    const elsewhere = await k.request('GET', '/api/v1/brander/logo-of/acme', { role: 'viewer', tenant: 'globex' });
    expect(elsewhere.status).toBe(403);
    expect(elsewhere.body.code).toBe('VV_FORBIDDEN');
    // Outside a request (a job, say): any tenant that has the plugin enabled, none that has not.
    expect(await service.logo('acme')).toEqual({ mediaType: 'image/png', data: PNG });
    await k.kernel.pluginSets.change('globex', 'brander', { enabled: false }, { cascade: false });
    const refused = await service.logo('globex').catch((e: unknown) => e);
    expect(isVvError(refused) && refused.code).toBe('VV_PLUGIN_NOT_ENABLED');
  });

  it('is removed with null, replaced by another, and the branding route answers it', async () => {
    const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]).toString('base64');
    expect((await k.request('PUT', '/api/v1/admin/tenants/acme/branding', { body: { logo: { mediaType: 'image/jpeg', data: JPEG } } })).body).toEqual({
      primaryColor: '#1a2b3c',
      logo: { mediaType: 'image/jpeg', data: JPEG },
    });
    expect((await k.request('GET', '/api/v1/admin/tenants/acme/branding', { role: 'viewer' })).body.logo).toEqual({ mediaType: 'image/jpeg', data: JPEG });
    expect((await k.request('PUT', '/api/v1/admin/tenants/acme/branding', { body: { logo: null } })).body).toEqual({ primaryColor: '#1a2b3c' });
    expect(await k.store.getTenantLogo('acme')).toBeUndefined();
    expect((await k.request('GET', '/api/v1/brander/logo', { role: 'viewer' })).body).toEqual({ logo: null });
  });
});
