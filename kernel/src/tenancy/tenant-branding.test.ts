/** Tenant branding (issue 19, "tenant logo and colours from settings"): validated, set by admins, read by members. */
import { bootKernel, type BootedKernel } from '../__fixtures__/boot-kernel';
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

  it('is checked the same way when a platform admin writes it through the tenant settings', async () => {
    const patch = (settings: unknown) => k.request('PATCH', '/api/v1/admin/tenants/globex', { role: 'platform-admin', body: { settings } });
    const svg = await patch({ branding: { logo: { mediaType: 'image/svg+xml', data: SVG } } });
    expect(svg.status).toBe(400);
    expect(svg.body.errors).toEqual([{ pointer: '/settings/branding/logo', message: expect.stringContaining('image/png') }]);
    const notPng = await patch({ branding: { logo: { mediaType: 'image/png', data: SVG } } });
    expect(notPng.body.errors).toEqual([{ pointer: '/settings/branding/logo/data', message: 'is not a PNG image' }]);
    expect((await patch({ branding: { primaryColor: 'red', banner: 'x' } })).body.errors).toHaveLength(2);
    expect((await k.store.getTenant('globex'))!.settings['branding']).toBeUndefined();
    expect((await patch({ branding: { primaryColor: '#112233', logo: { mediaType: 'image/png', data: PNG } } })).status).toBe(200);
  });
});
