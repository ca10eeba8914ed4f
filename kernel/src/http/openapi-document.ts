import type { RegisteredRoute } from './plugin-router';

/** OpenAPI 3.1 document aggregated from the plugins' route definitions and their JSON Schemas. */
export function openApiDocument(routes: readonly RegisteredRoute[], version: string): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = `/api/v1${route.path.replace(/:([A-Za-z0-9]+)/g, '{$1}')}`;
    const params = [...route.path.matchAll(/:([A-Za-z0-9]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const schema = route.definition.schema;
    const responses: Record<string, unknown> = { default: { description: 'Error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } } };
    for (const [status, body] of Object.entries(schema?.responses ?? {})) responses[status] = { description: status, content: { 'application/json': { schema: body } } };
    if (!schema?.responses) responses['200'] = { description: 'OK' };
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      summary: route.definition.summary,
      tags: [route.pluginId],
      'x-valueverse-min-role': route.minRole,
      parameters: params,
      requestBody: schema?.body ? { required: true, content: { 'application/json': { schema: schema.body } } } : undefined,
      responses,
      security: [{ bearer: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ValueVerse API', version },
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
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
