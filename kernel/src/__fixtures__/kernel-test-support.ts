import type { TestKernel, TestResponse } from '@valueverse/plugin-testing';

/** A valid plugin.json object for an inline test plugin; `extra` adds routes, requires, permissions, config... */
export function manifest(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { id, version: '1.0.0', displayName: id, kernel: '^1.0.0', main: 'dist/index.js', ...extra };
}

/** Asserts a problem+json answer with `status` and `code`, a request id in body and header; returns the body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- problem bodies carry arbitrary extensions
export function expectProblem(res: TestResponse, status: number, code: string): Record<string, any> {
  expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(res.body.status).toBe(status);
  expect(typeof res.body.requestId).toBe('string');
  expect(res.body.requestId.length).toBeGreaterThan(0);
  expect(res.headers.get('x-request-id')).toBe(res.body.requestId);
  return res.body;
}

/** The plugin entries of GET /health/ready, by id. */
export async function readiness(k: TestKernel): Promise<Record<string, { state: string; error?: { code: string; message: string } }>> {
  const res = await k.request('GET', '/health/ready', { token: null });
  expect(res.status).toBe(200);
  return Object.fromEntries((res.body.plugins as { id: string; state: string; error?: { code: string; message: string } }[]).map((p) => [p.id, p]));
}
