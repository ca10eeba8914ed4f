import { serverAvailability, serverAvailabilitySync } from './services';

describe('serverAvailability', () => {
  it('answers the same asynchronously and synchronously', async () => {
    const availability = await serverAvailability();
    expect(availability).toEqual({ postgres: expect.any(Boolean), redis: expect.any(Boolean) });
    expect(serverAvailabilitySync()).toEqual(availability);
  });

  it('reports a server that does not answer as unavailable within the timeout', async () => {
    const previous = { postgres: process.env['VV_TEST_POSTGRES_URL'], redis: process.env['VV_TEST_REDIS_URL'] };
    process.env['VV_TEST_POSTGRES_URL'] = 'postgres://postgres@127.0.0.1:1/test';
    process.env['VV_TEST_REDIS_URL'] = 'redis://127.0.0.1:1';
    try {
      let probe: typeof serverAvailability | undefined;
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        probe = (require('./services') as typeof import('./services')).serverAvailability;
      });
      const started = Date.now();
      expect(await probe!()).toEqual({ postgres: false, redis: false });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      for (const [key, value] of [
        ['VV_TEST_POSTGRES_URL', previous.postgres],
        ['VV_TEST_REDIS_URL', previous.redis],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
