/**
 * The console types the business case from the OpenAPI document (admin-ui/src/app/api/openapi.d.ts, generated from
 * the routes' response schemas), so those schemas must say what the routes really answer: every answer of the
 * business-case and share-link routes is validated against the schema the kernel publishes at /api/openapi.json.
 * A field added to `buildBusinessCase` without its schema fails here (the schemas refuse unknown properties).
 */
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';

const pluginsDir = path.resolve(__dirname, '../../plugins');
// A 1×1 PNG.
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const model = {
  horizon: 3,
  discountRate: 0.1,
  drivers: [
    { name: 'users', unit: 'people', value: 100, distribution: { type: 'pert', min: 60, mode: 100, max: 120 } },
    { name: 'rate', unit: 'USD/h', value: 50 },
  ],
  formulas: [{ name: 'savings', expression: 'users * rate * 10' }],
  benefit: 'savings',
  costs: { upfront: 60000, recurring: 10000 },
};

type Doc = { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>> };

describe('business-case answers match their published OpenAPI schemas', () => {
  let k: TestKernel;
  let modelId: string;
  let doc: Doc;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date', /^\d{4}-\d{2}-\d{2}$/);
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)));

  const check = (route: string, method: string, status: number, body: unknown) => {
    const schema = doc.paths[route]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
    expect(schema).toBeDefined();
    const validate = ajv.compile(schema!);
    const ok = validate(body);
    expect(ok ? [] : validate.errors).toEqual([]);
  };

  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ dir: path.join(pluginsDir, 'calculation') }, { dir: path.join(pluginsDir, 'value-architect') }], tenants: ['acme'] });
    doc = (await k.request('GET', '/api/openapi.json', { token: null })).body as Doc;
    modelId = (await k.request('POST', '/api/v1/value-models', { body: { name: 'Schema check', model } })).body.id as string;
  }, 60_000);
  afterAll(async () => {
    await k?.close();
  });

  it('GET …/business-case, for every lens, without and with a logo', async () => {
    for (const logo of [false, true]) {
      if (logo) {
        const branded = await k.request('PUT', '/api/v1/admin/tenants/acme/branding', { body: { primaryColor: '#123456', logo: { mediaType: 'image/png', data: PNG } } });
        expect(branded.status).toBe(200);
      }
      for (const persona of ['cfo', 'executive', 'technical']) {
        const res = await k.request('GET', `/api/v1/value-models/${modelId}/business-case?persona=${persona}&customer=Initech`);
        expect(res.status).toBe(200);
        expect(res.body.branding.logo === null).toBe(!logo);
        check('/api/v1/value-models/{id}/business-case', 'get', 200, res.body);
      }
    }
  });

  it('share links: created (201, with its URL), listed and revoked', async () => {
    const created = await k.request('POST', `/api/v1/value-models/${modelId}/share-links`, { body: { expiresInDays: 3, persona: 'cfo' } });
    expect(created.status).toBe(201);
    check('/api/v1/value-models/{id}/share-links', 'post', 201, created.body);
    await k.request('POST', `/api/v1/value-models/${modelId}/share-links`, { body: { expiresInDays: 5, customer: 'Initech' } });
    const revoked = await k.request('DELETE', `/api/v1/value-models/${modelId}/share-links/${created.body.id}`);
    expect(revoked.status).toBe(200);
    check('/api/v1/value-models/{id}/share-links/{linkId}', 'delete', 200, revoked.body);
    const list = await k.request('GET', `/api/v1/value-models/${modelId}/share-links`);
    expect(list.body.items).toHaveLength(2);
    check('/api/v1/value-models/{id}/share-links', 'get', 200, list.body);
  });
});
