import type { KernelRouteDoc } from './kernel-route';
import type { RegisteredRoute } from './plugin-router';

const problemResponse = { description: 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
const pathOf = (path: string) => path.replace(/:([A-Za-z0-9]+)/g, '{$1}');
const paramsOf = (path: string) => [...path.matchAll(/:([A-Za-z0-9]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));

/** Query parameters from a query schema's properties (OpenAPI describes them one by one). */
function queryParams(schema: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const properties = (schema?.properties ?? {}) as Record<string, unknown>;
  const required = new Set((schema?.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, s]) => ({ name, in: 'query', required: required.has(name), schema: s }));
}

function idempotencyKeyParam(required: boolean): Record<string, unknown> {
  return {
    name: 'Idempotency-Key',
    in: 'header',
    required,
    description: 'A value unique to this operation (e.g. a UUID): a retry with the same key and request gets the first response again, marked Idempotent-Replayed: true. Kept 24 hours.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  };
}

/**
 * OpenAPI 3.1 document of the whole API: the kernel's own routes (from their declarations, with the schemas their
 * handlers validate with) and the plugins' routes (from their definitions and JSON Schemas).
 */
export function openApiDocument(routes: readonly RegisteredRoute[], version: string, kernelRoutes: readonly KernelRouteDoc[] = []): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of kernelRoutes) {
    const key = `${route.method} ${route.path}`;
    // The route's own declaration (kernel-route.ts): the schemas are the ones its handler validates with.
    const doc: KernelRouteDoc | undefined = route;
    (paths[pathOf(route.path)] ??= {})[route.method.toLowerCase()] = {
      summary: doc?.summary ?? key,
      tags: ['kernel'],
      'x-valueverse-access': route.access,
      parameters: [...paramsOf(route.path), ...queryParams(doc?.query as Record<string, unknown> | undefined)],
      requestBody: doc?.body ? { required: true, content: { 'application/json': { schema: doc.body } } } : undefined,
      responses: { '2XX': { description: 'OK', content: { [doc?.produces ?? 'application/json']: {} } }, default: problemResponse },
      security: route.access === 'public' ? [] : [{ bearer: [] }, { apiKey: [] }],
    };
  }
  for (const route of routes) {
    const path = `/api/v1${pathOf(route.path)}`;
    const params = [...paramsOf(route.path), ...queryParams(route.definition.schema?.query as Record<string, unknown> | undefined)];
    if (route.definition.idempotency) params.push(idempotencyKeyParam(route.definition.idempotency === 'required'));
    const schema = route.definition.schema;
    const responses: Record<string, unknown> = { default: problemResponse };
    for (const [status, body] of Object.entries(schema?.responses ?? {})) responses[status] = { description: status, content: { 'application/json': { schema: body } } };
    if (!schema?.responses) responses['200'] = { description: 'OK' };
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.definition.summary,
      tags: [route.pluginId],
      'x-valueverse-min-role': route.minRole,
      parameters: params,
      requestBody: schema?.body ? { required: true, content: { 'application/json': { schema: schema.body } } } : undefined,
      responses,
      security: [{ bearer: [] }, { apiKey: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ValueVerse API', version },
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /api/v1/auth/login, or an API key (vvk_…)' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
      schemas: {
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail', 'requestId'],
          properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, code: { type: 'string' }, detail: { type: 'string' }, requestId: { type: 'string' }, errors: { type: 'array' } },
        },
      },
    },
  };
}
