import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { createTestKernel, type TestKernel } from '@valueverse/plugin-testing';
import { manifest, readiness } from './__fixtures__/kernel-test-support';

const handlers = {
  export: async () => ({}),
  import: async () => ({ rows: {} }),
  erase: async () => ({ rows: {} }),
  purge: async () => ({ rows: {} }),
};

describe('kernel: the privacy contract of plugins that store personal data', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({
      tenants: ['acme'],
      plugins: [
        {
          manifest: manifest('keeps-people', { personalData: true }),
          plugin: definePlugin({ deps: { logger: coreServices.logger }, setup: () => undefined }),
        },
        {
          manifest: manifest('keeps-people-properly', { personalData: true }),
          plugin: definePlugin({ deps: { logger: coreServices.logger }, setup: (_deps, registrar) => registrar.privacy(handlers) }),
        },
        { manifest: manifest('keeps-nothing'), plugin: definePlugin({ deps: { logger: coreServices.logger }, setup: () => undefined }) },
      ],
    });
  });
  afterAll(() => k.close());

  it('refuses to start a plugin that declares personalData without registering handlers, and starts the others', async () => {
    const plugins = await readiness(k);
    expect(plugins['keeps-people']).toMatchObject({ state: 'failed', error: { code: 'VV_PRIVACY_HANDLERS_MISSING', message: expect.stringContaining('keeps-people') } });
    expect(plugins['keeps-people-properly']!.state).toBe('running');
    expect(plugins['keeps-nothing']!.state).toBe('running');
  });

  it('lists the plugin that registered handlers among the data lifecycle providers, after the kernel', () => {
    expect([...k.kernel.dataLifecycle.providers().keys()]).toEqual(['keeps-people-properly']);
  });

  it('answers 503 VV_PRIVACY_UNAVAILABLE for exports without a database', async () => {
    const res = await k.request('POST', '/api/v1/admin/tenants/acme/exports', { tenant: 'acme' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('VV_PRIVACY_UNAVAILABLE');
  });
});
