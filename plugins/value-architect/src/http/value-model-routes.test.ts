/**
 * The value-models API through a real kernel (embedded PostgreSQL, real HTTP): CRUD with versions, pagination and
 * filters, the driver library, evaluation, validation of every route, and tenant isolation.
 */
import path from 'node:path';
import { createCalculationService } from '@valueverse/plugin-calculation';
import { createTestKernel, type TestKernel, type TestResponse } from '@valueverse/plugin-testing';
import { helpdeskModel } from '../__fixtures__/helpdesk-model';

const plugins = [{ dir: path.resolve(__dirname, '../../../calculation') }, { dir: path.resolve(__dirname, '../..') }];
const calc = createCalculationService();

describe('/api/v1/value-models', () => {
  let k: TestKernel;
  const pointers = (res: TestResponse): string[] => (res.body.errors as Array<{ pointer: string }>).map((e) => e.pointer).sort();
  const expectValidation = (res: TestResponse, expected: string[]) => {
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(res.body.code).toBe('VV_VALIDATION');
    expect(pointers(res)).toEqual(expected);
  };
  const create = (body: unknown, tenant?: string) => k.request('POST', '/api/v1/value-models', { body, ...(tenant ? { tenant } : {}) });

  beforeAll(async () => {
    k = await createTestKernel({ plugins, tenants: ['acme', 'globex'] });
  }, 60_000);
  afterAll(async () => {
    await k?.close();
  });

  describe('CRUD and versions', () => {
    it('creates a model (201, Location, version 1, who and when) and reads it back', async () => {
      const res = await create({ name: 'Helpdesk automation', industry: 'software', model: helpdeskModel });
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toBe(`/api/v1/value-models/${res.body.id}`);
      expect(res.body).toMatchObject({
        tenantId: 'acme',
        version: 1,
        name: 'Helpdesk automation',
        industry: 'software',
        status: 'draft',
        currency: 'USD',
        description: null,
        origin: null,
        createdBy: 'user-tenant-admin',
        updatedBy: 'user-tenant-admin',
      });
      expect(res.body.model).toEqual({ ...helpdeskModel, name: 'Helpdesk automation' });
      expect(Date.parse(res.body.createdAt)).toBeGreaterThan(Date.now() - 60_000);
      const got = await k.request('GET', `/api/v1/value-models/${res.body.id}`);
      expect(got.status).toBe(200);
      expect(got.body).toEqual(res.body);
      const event = k.events.find((e) => e.name === 'value-model.created' && (e.payload as { modelId: string }).modelId === res.body.id);
      expect(event).toMatchObject({ tenantId: 'acme', source: 'value-architect', payload: { version: 1 } });
    });

    it('keeps every change as a version with who and when; a no-op change makes none', async () => {
      const { body: created } = await create({ name: 'Versioned', model: helpdeskModel });
      const id = created.id as string;
      const v2 = await k.request('PUT', `/api/v1/value-models/${id}`, { body: { name: 'Versioned v2', status: 'published' }, role: 'member' });
      expect(v2.status).toBe(200);
      expect(v2.body).toMatchObject({ version: 2, name: 'Versioned v2', status: 'published', updatedBy: 'user-member', createdBy: 'user-tenant-admin' });
      expect(v2.body.model.name).toBe('Versioned v2');
      const drivers = helpdeskModel.drivers.map((d) => (d.name === 'users' ? { ...d, value: 110 } : d));
      const v3 = await k.request('PUT', `/api/v1/value-models/${id}`, { body: { model: { ...helpdeskModel, drivers }, version: 2 } });
      expect(v3.body).toMatchObject({ version: 3, name: 'Versioned v2' });
      const same = await k.request('PUT', `/api/v1/value-models/${id}`, { body: { status: 'published' } });
      expect(same.body.version).toBe(3);

      const history = await k.request('GET', `/api/v1/value-models/${id}/versions`);
      expect(history.status).toBe(200);
      expect(history.body.nextCursor).toBeNull();
      expect(history.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
      expect(history.body.items.map((v: { createdBy: string }) => v.createdBy)).toEqual(['user-tenant-admin', 'user-member', 'user-tenant-admin']);
      for (const item of history.body.items) expect(Number.isNaN(Date.parse(item.createdAt))).toBe(false);

      const v1 = await k.request('GET', `/api/v1/value-models/${id}/versions/1`);
      expect(v1.status).toBe(200);
      expect(v1.body).toMatchObject({ id, version: 1, name: 'Versioned', status: 'draft', createdBy: 'user-tenant-admin' });
      expect(v1.body.model.drivers[0].value).toBe(100);
      expect((await k.request('GET', `/api/v1/value-models/${id}/versions/3`)).body.model.drivers[0].value).toBe(110);
      const missing = await k.request('GET', `/api/v1/value-models/${id}/versions/4`);
      expect(missing.status).toBe(404);
      expect(missing.body.code).toBe('VV_NOT_FOUND');

      // History pages: one version a page, newest first.
      const page1 = await k.request('GET', `/api/v1/value-models/${id}/versions?limit=2`);
      expect(page1.body.items.map((v: { version: number }) => v.version)).toEqual([3, 2]);
      const page2 = await k.request('GET', `/api/v1/value-models/${id}/versions?limit=2&cursor=${page1.body.nextCursor}`);
      expect(page2.body).toMatchObject({ items: [{ version: 1 }], nextCursor: null });
    });

    it('refuses a change made from a stale version with 409 VV_CONFLICT', async () => {
      const { body: created } = await create({ name: 'Concurrent', model: helpdeskModel });
      await k.request('PUT', `/api/v1/value-models/${created.id}`, { body: { name: 'First writer', version: 1 } });
      const late = await k.request('PUT', `/api/v1/value-models/${created.id}`, { body: { name: 'Second writer', version: 1 } });
      expect(late.status).toBe(409);
      expect(late.body.code).toBe('VV_CONFLICT');
      expect((await k.request('GET', `/api/v1/value-models/${created.id}`)).body.name).toBe('First writer');
    });

    it('deletes a model: 204, then 404 everywhere and gone from the list', async () => {
      const { body: created } = await create({ name: 'Short-lived', model: helpdeskModel });
      const res = await k.request('DELETE', `/api/v1/value-models/${created.id}`);
      expect(res.status).toBe(204);
      for (const [method, suffix] of [
        ['GET', ''],
        ['PUT', ''],
        ['DELETE', ''],
        ['GET', '/versions'],
        ['GET', '/versions/1'],
        ['GET', '/evaluation'],
        ['POST', '/hypotheses'],
      ] as const) {
        const again = await k.request(method, `/api/v1/value-models/${created.id}${suffix}`, method === 'PUT' ? { body: { name: 'x' } } : {});
        expect([method, suffix, again.status, again.body.code]).toEqual([method, suffix, 404, 'VV_NOT_FOUND']);
      }
      const list = await k.request('GET', '/api/v1/value-models?q=Short-lived');
      expect(list.body.items).toEqual([]);
      expect(k.events.some((e) => e.name === 'value-model.deleted' && (e.payload as { modelId: string }).modelId === created.id)).toBe(true);
    });

    it('lets a viewer read but not write', async () => {
      const { body: created } = await create({ name: 'Read only', model: helpdeskModel });
      expect((await k.request('GET', `/api/v1/value-models/${created.id}`, { role: 'viewer' })).status).toBe(200);
      const write = await k.request('PUT', `/api/v1/value-models/${created.id}`, { body: { name: 'no' }, role: 'viewer' });
      expect(write.status).toBe(403);
    });
  });

  describe('list', () => {
    it('filters by industry, status and q, newest first, and walks pages with a cursor', async () => {
      const names = ['Paging alpha', 'Paging beta', 'Paging gamma', 'Paging delta', 'Paging epsilon'];
      const ids: string[] = [];
      for (const [i, name] of names.entries()) {
        const res = await create({
          name,
          industry: i % 2 === 0 ? 'retail' : 'logistics',
          status: i < 2 ? 'published' : 'draft',
          model: helpdeskModel,
          description: i === 4 ? 'Has a SPECIAL word' : null,
        });
        ids.push(res.body.id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: TestResponse = await k.request('GET', `/api/v1/value-models?q=paging&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.status).toBe(200);
        expect(res.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...res.body.items.map((m: { id: string }) => m.id));
        cursor = res.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual([...ids].reverse());

      const retail = await k.request('GET', '/api/v1/value-models?q=paging&industry=retail');
      expect(retail.body.items.map((m: { name: string }) => m.name)).toEqual(['Paging epsilon', 'Paging gamma', 'Paging alpha']);
      const published = await k.request('GET', '/api/v1/value-models?q=paging&status=published');
      expect(published.body.items.map((m: { name: string }) => m.name)).toEqual(['Paging beta', 'Paging alpha']);
      const special = await k.request('GET', '/api/v1/value-models?q=special');
      expect(special.body.items.map((m: { name: string }) => m.name)).toEqual(['Paging epsilon']);
      // LIKE wildcards in q are literal.
      expect((await k.request('GET', '/api/v1/value-models?q=%25')).body.items).toEqual([]);
    });
  });

  describe('driver library', () => {
    it('serves at least 6 industries × 8 drivers with unit, range and formula', async () => {
      const res = await k.request('GET', '/api/v1/value-models/library', { role: 'viewer' });
      expect(res.status).toBe(200);
      expect(res.body.industries.length).toBeGreaterThanOrEqual(6);
      for (const industry of res.body.industries) {
        expect(industry.drivers.length).toBeGreaterThanOrEqual(8);
        for (const d of industry.drivers) {
          expect(d).toEqual({
            key: expect.any(String),
            label: expect.any(String),
            unit: expect.any(String),
            range: { min: expect.any(Number), typical: expect.any(Number), max: expect.any(Number) },
            formula: expect.stringContaining(d.key),
            description: expect.any(String),
          });
        }
      }
      const retail = await k.request('GET', '/api/v1/value-models/library?industry=retail');
      expect(retail.body.industries.map((i: { key: string }) => i.key)).toEqual(['retail']);
    });

    it('starts a model from chosen library drivers; it evaluates like the calculation plugin says', async () => {
      const res = await create({ fromLibrary: { industry: 'software', drivers: ['support_tickets_deflected', 'engineering_hours_saved'] } });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: 'Software & SaaS value model',
        industry: 'software',
        origin: { library: { industry: 'software', drivers: ['support_tickets_deflected', 'engineering_hours_saved'] } },
      });
      expect(res.body.model.drivers.map((d: { name: string }) => d.name)).toEqual([
        'support_tickets_deflected',
        'engineering_hours_saved',
        'loaded_hourly_rate',
        'cost_per_ticket',
      ]);
      expect(res.body.model.benefit).toBe('annual_benefit');

      const evaluation = await k.request('GET', `/api/v1/value-models/${res.body.id}/evaluation`);
      expect(evaluation.status).toBe(200);
      const direct = await calc.evaluateModel({ model: res.body.model });
      expect(evaluation.body).toMatchObject({ modelId: res.body.id, version: 1, currency: 'USD', cashFlows: direct.cashFlows });
      expect(evaluation.body.metrics.npv.value).toBeCloseTo(direct.metrics.npv.value, 6);
      expect(evaluation.body.formulas.annual_benefit).toBe(8000 * 22 + 3000 * 75);
      expect(evaluation.body.metrics.roi.value).not.toBeNull();
      expect(evaluation.body.metrics.payback).toHaveProperty('paysBack');

      const simulated = await k.request('GET', `/api/v1/value-models/${res.body.id}/evaluation?trials=500&seed=9`);
      expect(simulated.body.simulation).toMatchObject({ trials: 500, seed: 9, stochasticDrivers: ['support_tickets_deflected', 'engineering_hours_saved'] });
      const again = await calc.simulate({ model: res.body.model, trials: 500, seed: 9 });
      expect(simulated.body.simulation.percentiles).toEqual(again.percentiles);
      // Uncertain drivers: the expected NPV and P(NPV > 0) stand beside the point NPV (issue #11 item 8).
      expect(evaluation.body.headline).toEqual(await calc.headline({ model: res.body.model }));
      expect(evaluation.body.headline.pointNpv).toBe(evaluation.body.metrics.npv.value);
    });

    it('saves correlations and periodsPerYear (issue #11), and refuses a matrix that cannot hold with 422 VV_CORRELATION_INVALID', async () => {
      const model = { ...helpdeskModel, periodsPerYear: 12, correlations: [{ a: 'users', b: 'hours_saved', rho: 0.6 }] };
      const saved = await create({ name: 'Correlated', model });
      expect(saved.status).toBe(201);
      expect(saved.body.model).toMatchObject({ periodsPerYear: 12, correlations: [{ a: 'users', b: 'hours_saved', rho: 0.6 }] });
      const evaluation = await k.request('GET', `/api/v1/value-models/${saved.body.id}/evaluation?trials=500&seed=3`);
      expect(evaluation.body.headline.dependence).toMatchObject({ method: 'iman-conover' });
      expect(evaluation.body.simulation.dependence).toMatchObject({ method: 'iman-conover' });
      expect(evaluation.body.metrics.irr.periodsPerYear).toBe(12);
      // A change keeps them too (a new version), and a change to a matrix that cannot hold is refused alike.
      const changed = await k.request('PUT', `/api/v1/value-models/${saved.body.id}`, {
        body: { model: { ...model, periodsPerYear: 4, correlations: [{ a: 'users', b: 'hours_saved', rho: -0.3 }] }, version: saved.body.version },
      });
      expect(changed.status).toBe(200);
      expect(changed.body.model).toMatchObject({ periodsPerYear: 4, correlations: [{ a: 'users', b: 'hours_saved', rho: -0.3 }] });
      const stored = await k.request('GET', `/api/v1/value-models/${saved.body.id}/versions/${changed.body.version}`);
      expect(stored.body.model).toMatchObject({ periodsPerYear: 4, correlations: [{ a: 'users', b: 'hours_saved', rho: -0.3 }] });
      const badChange = await k.request('PUT', `/api/v1/value-models/${saved.body.id}`, {
        body: { model: { ...model, correlations: [{ a: 'users', b: 'hours_saved', rho: 1.5 }] } },
      });
      expect([badChange.status, badChange.body.code]).toEqual([422, 'VV_CORRELATION_INVALID']);
      const bad = await create({ name: 'Bad', model: { ...helpdeskModel, correlations: [{ a: 'users', b: 'loaded_hourly_rate', rho: 0.6 }] } });
      expect(bad.status).toBe(422);
      expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(bad.body.code).toBe('VV_CORRELATION_INVALID');
      expect(bad.body.errors).toEqual([expect.objectContaining({ pointer: '/model/correlations/0/b' })]);
    });

    it('starts a model from every driver of an industry by default', async () => {
      const res = await create({ name: 'All of manufacturing', fromLibrary: { industry: 'manufacturing' } });
      expect(res.status).toBe(201);
      expect(res.body.origin.library.drivers).toHaveLength(8);
      expect((await k.request('GET', `/api/v1/value-models/${res.body.id}/evaluation?version=1`)).status).toBe(200);
    });
  });

  describe('validation: bad input is 400 VV_VALIDATION with a pointer at each bad field', () => {
    let id: string;
    beforeAll(async () => {
      id = (await create({ name: 'Validation target', model: helpdeskModel })).body.id;
    });

    it('POST /value-models', async () => {
      expectValidation(await create({}), ['/model']);
      expectValidation(await create({ model: helpdeskModel, fromLibrary: { industry: 'retail' } }), ['/fromLibrary']);
      expectValidation(await create({ model: helpdeskModel }), ['/name']);
      expectValidation(await create({ name: 'x', model: { ...helpdeskModel, horizon: 0 }, extra: 1 }), ['/extra', '/model/horizon']);
      expectValidation(await create({ name: '', status: 'done', currency: 'usd', model: helpdeskModel }), ['/currency', '/name', '/status']);
      expectValidation(await create({ name: 'x', model: { ...helpdeskModel, drivers: [{ name: '1bad', value: 'NaN' }] } }), ['/model/drivers/0/name', '/model/drivers/0/value']);
      expectValidation(await create({ fromLibrary: { industry: 'mining' } }), ['/fromLibrary/industry']);
      expectValidation(await create({ fromLibrary: { industry: 'retail', drivers: ['markdown_reduction', 'warp_drive'] } }), ['/fromLibrary/drivers/1']);
      // Meaning, from the calculation engine: unknown names, distributions out of order.
      const unknownName = await create({ name: 'x', model: { ...helpdeskModel, formulas: [{ name: 'savings', expression: 'users * nobody' }] } });
      expectValidation(unknownName, ['/model/formulas/0/expression']);
      const badRange = await create({
        name: 'x',
        model: { ...helpdeskModel, drivers: [{ name: 'users', value: 1, distribution: { type: 'pert', min: 5, mode: 1, max: 2 } }, ...helpdeskModel.drivers.slice(1)] },
      });
      expectValidation(badRange, ['/model/drivers/0/distribution/max']);
      const notJson = await k.request('POST', '/api/v1/value-models', { body: '{"name":', headers: { 'content-type': 'application/json' } });
      expect(notJson.status).toBe(400);
      expect(notJson.body.code).toBe('VV_VALIDATION');
    });

    it('PUT /value-models/:id', async () => {
      expectValidation(await k.request('PUT', `/api/v1/value-models/${id}`, { body: {} }), ['']);
      expectValidation(await k.request('PUT', `/api/v1/value-models/${id}`, { body: { version: 0, industry: 'Bad Industry', fromLibrary: {} } }), [
        '/fromLibrary',
        '/industry',
        '/version',
      ]);
      expectValidation(await k.request('PUT', `/api/v1/value-models/${id}`, { body: { model: { ...helpdeskModel, benefit: 'savings +' } } }), ['/model/benefit']);
      expect((await k.request('GET', `/api/v1/value-models/${id}`)).body.version).toBe(1);
    });

    it('GET /value-models and the library', async () => {
      expectValidation(await k.request('GET', '/api/v1/value-models?limit=0&status=done&sort=name'), ['/limit', '/sort', '/status']);
      expectValidation(await k.request('GET', '/api/v1/value-models?cursor=not-a-cursor'), ['/cursor']);
      expectValidation(await k.request('GET', '/api/v1/value-models/library?industry=mining'), ['/industry']);
      const problem = (await k.request('GET', '/api/v1/value-models?limit=500')).body.errors[0];
      expect(problem).toMatchObject({ pointer: '/limit', in: 'query' });
    });

    it('GET /:id/versions, /:id/versions/:version and /:id/evaluation', async () => {
      expectValidation(await k.request('GET', `/api/v1/value-models/${id}/versions?limit=abc`), ['/limit']);
      expectValidation(await k.request('GET', `/api/v1/value-models/${id}/versions?cursor=${Buffer.from('["x"]').toString('base64url')}`), ['/cursor']);
      expectValidation(await k.request('GET', `/api/v1/value-models/${id}/versions/first`), ['/version']);
      expectValidation(await k.request('GET', `/api/v1/value-models/${id}/versions/0`), ['/version']);
      expectValidation(await k.request('GET', `/api/v1/value-models/${id}/evaluation?trials=5&seed=-1&version=x`), ['/seed', '/trials', '/version']);
    });

    it('POST /:id/hypotheses', async () => {
      expectValidation(await k.request('POST', `/api/v1/value-models/${id}/hypotheses`, { body: { count: 11, industry: 'mining', focus: '', mood: 'bold' } }), [
        '/count',
        '/focus',
        '/industry',
        '/mood',
      ]);
      // No AI provider, no industry on the model and none given: the library has nothing to draw on.
      const noIndustry = await create({ name: 'No industry', model: helpdeskModel });
      expectValidation(await k.request('POST', `/api/v1/value-models/${noIndustry.body.id}/hypotheses`, { body: {} }), ['/industry']);
    });
  });

  describe('tenant isolation', () => {
    it("answers 404 to another tenant for every route on a model, and that tenant's list is empty", async () => {
      const { body: mine } = await create({ name: 'Acme secret', model: helpdeskModel });
      const id = mine.id as string;
      const asGlobex = (method: string, suffix: string, body?: unknown) =>
        k.request(method, `/api/v1/value-models/${id}${suffix}`, { tenant: 'globex', ...(body === undefined ? {} : { body }) });
      for (const [method, suffix, body] of [
        ['GET', '', undefined],
        ['PUT', '', { name: 'stolen' }],
        ['DELETE', '', undefined],
        ['GET', '/versions', undefined],
        ['GET', '/versions/1', undefined],
        ['GET', '/evaluation', undefined],
        ['POST', '/hypotheses', { industry: 'software' }],
      ] as const) {
        const res = await asGlobex(method, suffix, body);
        expect([method, suffix, res.status, res.body.code]).toEqual([method, suffix, 404, 'VV_NOT_FOUND']);
      }
      const list = await k.request('GET', '/api/v1/value-models', { tenant: 'globex' });
      expect(list.body).toEqual({ items: [], nextCursor: null });
      // Untouched by the attempts.
      const after = await k.request('GET', `/api/v1/value-models/${id}`);
      expect(after.body).toMatchObject({ name: 'Acme secret', version: 1 });

      // globex's own models stay its own.
      const theirs = await create({ name: 'Globex model', model: helpdeskModel }, 'globex');
      expect(theirs.body.tenantId).toBe('globex');
      expect((await k.request('GET', `/api/v1/value-models/${theirs.body.id}`)).status).toBe(404);
      expect((await k.request('GET', '/api/v1/value-models', { tenant: 'globex' })).body.items.map((m: { name: string }) => m.name)).toEqual(['Globex model']);
    });
  });
});
