/**
 * The business case of a saved model (issue 19, "a customer-ready business case"; issue 20 item 6, persona views):
 * JSON through three lenses, a branded PDF, and signed, expiring, revocable share links that open without an
 * account — through a real kernel, with tenant isolation and roles.
 */
import path from 'node:path';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { helpdeskModel } from '../__fixtures__/helpdesk-model';
import { pdfText } from '../__fixtures__/pdf-text';

const plugins = [{ dir: path.resolve(__dirname, '../../../calculation') }, { dir: path.resolve(__dirname, '../..') }];
// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';

describe('business case, PDF and share links', () => {
  let k: TestKernel;
  let modelId: string;
  const fetchRaw = async (url: string, token?: string) => {
    const res = await fetch(`${k.url}${url}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
    return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const share = async (body: Record<string, unknown>, role: 'member' | 'viewer' | 'tenant-admin' = 'member') =>
    k.request('POST', `/api/v1/value-models/${modelId}/share-links`, { body, role });

  beforeAll(async () => {
    k = await createTestKernel({ plugins, tenants: ['acme', 'globex'] });
    const created = await k.request('POST', '/api/v1/value-models', { body: { name: 'Helpdesk automation', industry: 'software', model: helpdeskModel } });
    modelId = created.body.id;
  }, 60_000);
  afterAll(async () => {
    await k?.close();
  });

  it('gives one model through three lenses, the default lens from the caller’s role', async () => {
    const cfo = await k.request('GET', `/api/v1/value-models/${modelId}/business-case?persona=cfo&customer=Initech`);
    expect(cfo.status).toBe(200);
    expect(cfo.body).toMatchObject({ persona: 'cfo', title: 'Helpdesk automation', customer: 'Initech', preparedBy: 'acme', version: 1 });
    expect(cfo.body.figures.map((f: { label: string }) => f.label)).toEqual(['NPV', 'IRR', 'ROI', 'Payback', 'Risk range (P10–P90)']);
    expect(cfo.body.sections.map((s: { heading: string }) => s.heading)).toEqual(['Risk range', 'Cash timing', 'Assumptions and sources', 'Methodology']);
    // NPV of −60,000 then 40,000 a year for 3 years at 10 %: 39,474 (rounded to whole dollars).
    expect(cfo.body.figures[0].value).toBe('$39,474');
    expect(cfo.body.sections[1].table.rows).toHaveLength(4);

    const executive = await k.request('GET', `/api/v1/value-models/${modelId}/business-case?persona=executive`);
    expect(executive.body.figures.map((f: { label: string }) => f.label)).toEqual(['Net value (NPV)', 'Pays back in', 'Confidence']);
    expect(executive.body.figures[2].value).toMatch(/^\d+% chance that NPV is positive$/);
    expect(executive.body.sections[0]).toMatchObject({ heading: 'Summary' });

    const technical = await k.request('GET', `/api/v1/value-models/${modelId}/business-case?persona=technical`);
    const drivers = technical.body.sections[0];
    expect(drivers.heading).toBe('Drivers');
    expect(drivers.table.rows.map((r: string[]) => r[0])).toEqual(['users', 'hours_saved', 'loaded_hourly_rate']);
    // The library's assumption is sourced to it; the model's own drivers to its authors.
    expect(drivers.table.rows[2][4]).toMatch(/^Driver library .*, Software & SaaS$/);
    expect(drivers.table.rows[0][4]).toBe('Entered in the model by its authors');
    expect(technical.body.sections[1].table.rows).toEqual([['savings', 'users * hours_saved * loaded_hourly_rate', 'USD/year']]);

    expect((await k.request('GET', `/api/v1/value-models/${modelId}/business-case`, { role: 'viewer' })).body.persona).toBe('executive');
    expect((await k.request('GET', `/api/v1/value-models/${modelId}/business-case`, { role: 'member' })).body.persona).toBe('technical');
    expect((await k.request('GET', `/api/v1/value-models/${modelId}/business-case`)).body.persona).toBe('cfo');
    expect((await k.request('GET', `/api/v1/value-models/${modelId}/business-case?persona=ceo`)).status).toBe(400);
  });

  it('renders a branded PDF with the model’s name, customer and figures', async () => {
    const branded = await k.request('PUT', '/api/v1/admin/tenants/acme/branding', {
      body: { primaryColor: '#123456', accentColor: '#AA5500', logo: { mediaType: 'image/png', data: PNG } },
    });
    expect(branded.status).toBe(200);
    const res = await fetchRaw(`/api/v1/value-models/${modelId}/business-case/pdf?persona=cfo&customer=Initech`, await k.token('acme', 'viewer'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="Helpdesk-automation-cfo.pdf"');
    expect(res.bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(res.bytes);
    expect(text).toContain('Helpdesk automation');
    expect(text).toContain('Prepared for Initech by acme');
    expect(text).toContain('$39,474');
    expect(text).toContain('Assumptions and sources');
    // The logo is embedded as an image, the primary colour fills the header band.
    expect(res.bytes.toString('latin1')).toMatch(/\/Subtype \/Image/);
  });

  it('isolates tenants: another tenant’s model is not found, and its token does not open this tenant’s links', async () => {
    expect((await k.request('GET', `/api/v1/value-models/${modelId}/business-case`, { tenant: 'globex' })).status).toBe(404);
    expect((await k.request('GET', `/api/v1/value-models/${modelId}/business-case/pdf`, { tenant: 'globex' })).status).toBe(404);
    expect((await k.request('POST', `/api/v1/value-models/${modelId}/share-links`, { tenant: 'globex', body: { expiresInDays: 7 } })).status).toBe(404);
    const { body: link } = await share({ expiresInDays: 7 });
    const token = new URL(link.url, k.url).searchParams.get('token')!;
    const elsewhere = await k.request('GET', `/api/v1/business-cases/globex?token=${encodeURIComponent(token)}`, { token: null });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.code).toBe('VV_SHARE_LINK_INVALID');
  });

  it('share links: members create them, viewers cannot; the view opens without an account; revoked, expired and forged links are refused', async () => {
    expect((await share({ expiresInDays: 7 }, 'viewer')).status).toBe(403);
    expect((await share({ expiresInDays: 91 })).status).toBe(400);
    const created = await share({ expiresInDays: 7, persona: 'executive', customer: 'Initech' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ modelId, version: 1, persona: 'executive', customer: 'Initech', revokedAt: null });
    expect(Date.parse(created.body.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const url: string = created.body.url;
    const token = new URL(url, k.url).searchParams.get('token')!;

    const view = await fetchRaw(url);
    expect(view.status).toBe(200);
    expect(view.headers.get('content-type')).toMatch(/^text\/html/);
    expect(view.headers.get('cache-control')).toBe('no-store');
    expect(view.headers.get('referrer-policy')).toBe('no-referrer');
    const html = view.bytes.toString();
    expect(html).toContain('<h1>Helpdesk automation</h1>');
    expect(html).toContain('Prepared for Initech by acme');
    expect(html).toContain('Executive view');
    expect(html).toContain('background:#123456');
    expect(html).toContain(`data:image/png;base64,${PNG}`);
    expect(html).not.toContain('<script');
    const asCfo = (await fetchRaw(`${url}&persona=cfo`)).bytes.toString();
    expect(asCfo).toContain('Risk range (P10–P90)');

    const pdf = await fetchRaw(`/api/v1/business-cases/acme/pdf?token=${encodeURIComponent(token)}`);
    expect(pdf.status).toBe(200);
    expect(pdfText(pdf.bytes)).toContain('Helpdesk automation');

    // Stored hashed: the list never shows the token.
    const list = await k.request('GET', `/api/v1/value-models/${modelId}/share-links`, { role: 'member' });
    expect(JSON.stringify(list.body)).not.toContain(token);
    expect(list.body.items.some((l: { id: string }) => l.id === created.body.id)).toBe(true);

    const forged = `${token.slice(0, -2)}${token.endsWith('A') ? 'BB' : 'AA'}`;
    const refused = await k.request('GET', `/api/v1/business-cases/acme?token=${encodeURIComponent(forged)}`, { token: null });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(refused.body.code).toBe('VV_SHARE_LINK_INVALID');

    expect((await k.request('DELETE', `/api/v1/value-models/${modelId}/share-links/${created.body.id}`, { role: 'viewer' })).status).toBe(403);
    const revoked = await k.request('DELETE', `/api/v1/value-models/${modelId}/share-links/${created.body.id}`, { role: 'member' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    const gone = await k.request('GET', `/api/v1/business-cases/acme?token=${encodeURIComponent(token)}`, { token: null });
    expect(gone.status).toBe(410);
    expect(gone.body.code).toBe('VV_SHARE_LINK_REVOKED');
    expect((await k.request('DELETE', `/api/v1/value-models/${modelId}/share-links/nope`)).status).toBe(404);
  });
});
