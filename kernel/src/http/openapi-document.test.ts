import { SchemaValidator } from './schema-validator';
import { PluginRouter } from './plugin-router';
import { errorResponsesOf, openApiDocument, operationIdOf } from './openapi-document';

const manifest = (id: string, routes: string[]) => ({ id, version: '1.0.0', displayName: id, kernel: '^1.0.0', main: 'x', routes }) as never;

describe('operationIdOf', () => {
  it('derives <owner>.<method><Path> with parameters as By<Name> and /api/v1 left out', () => {
    expect(operationIdOf('kernel', 'GET', '/api/v1/admin/tenants/:tenantId/plugins/:pluginId')).toBe('kernel.getAdminTenantsByTenantIdPluginsByPluginId');
    expect(operationIdOf('kernel', 'GET', '/.well-known/jwks.json')).toBe('kernel.getWellKnownJwksJson');
    expect(operationIdOf('kernel', 'GET', '/api/openapi.json')).toBe('kernel.getApiOpenapiJson');
    expect(operationIdOf('value-committer', 'POST', '/commitments/:id/transitions')).toBe('value-committer.postCommitmentsByIdTransitions');
    expect(operationIdOf('value-architect', 'GET', '/value-models/library')).toBe('value-architect.getValueModelsLibrary');
  });

  it('prefixes an explicit operationId with the owner, so two plugins cannot collide', () => {
    expect(operationIdOf('calculation', 'POST', '/calculate/npv', 'npv')).toBe('calculation.npv');
  });
});

describe('errorResponsesOf', () => {
  it('lists 400 always, 401/403 by access, 404 for path parameters or plugin routes, 422 for bodies', () => {
    expect(Object.keys(errorResponsesOf({ path: '/health/live', authenticated: false, roleChecked: false, mayBeNotFound: false, takesBody: false }))).toEqual(['400']);
    expect(Object.keys(errorResponsesOf({ path: '/me', authenticated: true, roleChecked: false, mayBeNotFound: false, takesBody: false }))).toEqual(['400', '401']);
    expect(Object.keys(errorResponsesOf({ path: '/t/:id', authenticated: true, roleChecked: true, mayBeNotFound: false, takesBody: true }))).toEqual([
      '400',
      '401',
      '403',
      '404',
      '422',
    ]);
    expect(errorResponsesOf({ path: '/x', authenticated: false, roleChecked: false, mayBeNotFound: false, takesBody: false })['400']).toEqual({
      $ref: '#/components/responses/BadRequest',
    });
  });
});

describe('openApiDocument', () => {
  const router = new PluginRouter(manifest('ledger', ['/ledger']), new SchemaValidator());
  router.route({ method: 'GET', path: '/ledger/entries/:id', handler: () => ({}) });
  router.route({ method: 'POST', path: '/ledger/entries', operationId: 'addEntry', schema: { body: { type: 'object' } }, handler: () => ({}) });
  const doc = openApiDocument(router.routes, '1.2.3', [
    { method: 'GET', path: '/health/live', access: 'public', summary: 'Liveness' },
    { method: 'PATCH', path: '/api/v1/admin/tenants/:tenantId', access: 'platform-admin', summary: 'Update a tenant' },
  ]) as {
    servers: unknown[];
    paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    components: { responses: Record<string, unknown>; schemas: Record<string, unknown> };
  };

  it('names a server, and gives every operation an operationId and at least one shared problem+json 4xx', () => {
    expect(doc.servers).toEqual([{ url: '/', description: 'This deployment' }]);
    const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops));
    expect(operations.map((o) => o.operationId).sort()).toEqual(['kernel.getHealthLive', 'kernel.patchAdminTenantsByTenantId', 'ledger.addEntry', 'ledger.getLedgerEntriesById']);
    for (const operation of operations) {
      const fourXx = Object.keys(operation.responses).filter((s) => /^4\d\d$/.test(s));
      expect(fourXx.length).toBeGreaterThan(0);
      for (const status of fourXx) expect(doc.components.responses[(operation.responses[status] as { $ref: string }).$ref.split('/').pop()!]).toBeDefined();
    }
    expect(Object.keys(doc.paths['/api/v1/ledger/entries']!.post!.responses)).toEqual(['200', '400', '401', '403', '404', '422', 'default']);
    expect(doc.components.responses.NotFound).toEqual({
      description: expect.any(String),
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } },
    });
    expect(doc.components.schemas.ProblemDetails).toMatchObject({ required: expect.arrayContaining(['code', 'requestId']) });
  });
});

describe('RouteDefinition.operationId', () => {
  it('is refused at registration when malformed or already used by the plugin', () => {
    const router = new PluginRouter(manifest('ledger', ['/ledger']), new SchemaValidator());
    expect(() => router.route({ method: 'GET', path: '/ledger/a', operationId: 'ledger.list', handler: () => [] })).toThrow(/operationId/);
    router.route({ method: 'GET', path: '/ledger/b', operationId: 'list', handler: () => [] });
    expect(() => router.route({ method: 'GET', path: '/ledger/c', operationId: 'list', handler: () => [] })).toThrow(/operationId/);
  });
});
