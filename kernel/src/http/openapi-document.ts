import type { KernelRouteDoc } from './kernel-route';
import type { RegisteredRoute } from './plugin-router';

const problemContent = { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemDetails' } } };
const problemResponse = { description: 'Any other error (see docs/errors.md for every code and its status)', content: problemContent };
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
    description:
      'A value unique to this operation (e.g. a UUID): a retry with the same key and request gets the first response again, marked Idempotent-Replayed: true. Kept 24 hours.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  };
}

/**
 * The 4xx answers every operation may give, shared under `components.responses` so each operation only refers to
 * them. The codes in each description are the catalog's (docs/errors.md).
 */
const errorResponses = {
  BadRequest: { status: '400', description: 'VV_VALIDATION: the path, query, headers or body break the schema or the edge input check' },
  Unauthorized: { status: '401', description: 'VV_UNAUTHENTICATED: no valid access token or API key' },
  Forbidden: { status: '403', description: "VV_FORBIDDEN: the caller's role is too weak, or the credential may not act for the tenant" },
  NotFound: { status: '404', description: 'The resource, tenant or plugin (VV_PLUGIN_NOT_ENABLED) is unknown to the caller' },
  UnprocessableContent: { status: '422', description: 'The request is well formed but breaks a rule (e.g. VV_CONFIG_INVALID, VV_NO_SOLUTION, VV_IDEMPOTENCY_KEY_REUSED)' },
} as const;
type ErrorResponse = keyof typeof errorResponses;

/** What decides which of `errorResponses` an operation lists. */
interface OperationTraits {
  readonly path: string;
  readonly authenticated: boolean;
  /** Needs a role (as opposed to any signed-in caller about themselves). */
  readonly roleChecked: boolean;
  /** Answers 404 beyond its path parameters (a plugin route: the plugin may be disabled for the tenant). */
  readonly mayBeNotFound: boolean;
  /** Takes a body or an Idempotency-Key, so a well-formed request can still break a rule. */
  readonly takesBody: boolean;
}

/**
 * The 4xx responses of one operation. Every request passes the edge input check (NUL characters, nesting depth), so
 * every operation can answer 400; the others follow from the route's access rule and inputs.
 */
export function errorResponsesOf(traits: OperationTraits): Record<string, unknown> {
  const listed: ErrorResponse[] = ['BadRequest'];
  if (traits.authenticated) listed.push('Unauthorized');
  if (traits.roleChecked) listed.push('Forbidden');
  if (traits.mayBeNotFound || traits.path.includes(':')) listed.push('NotFound');
  if (traits.takesBody) listed.push('UnprocessableContent');
  return Object.fromEntries(listed.map((name) => [errorResponses[name].status, { $ref: `#/components/responses/${name}` }]));
}

/**
 * A stable, unique operationId derived from who owns the route and its declaration: `<owner>.<method><Path>`, the
 * path's static segments in PascalCase and each parameter as `By<Name>` (`/api/v1` left out), e.g.
 * `kernel.getAdminTenantsByTenantId`, `value-committer.postCommitmentsByIdTransitions`. A plugin route may name
 * itself (`RouteDefinition.operationId`); it is still prefixed with the plugin id, so plugins cannot collide.
 */
export function operationIdOf(owner: string, method: string, path: string, explicit?: string): string {
  if (explicit) return `${owner}.${explicit}`;
  const pascal = (word: string) => word.charAt(0).toUpperCase() + word.slice(1);
  const words = path
    .replace(/^\/api\/v1(?=\/|$)/, '')
    .split('/')
    .filter(Boolean)
    .map((segment) =>
      segment.startsWith(':')
        ? `By${pascal(segment.slice(1))}`
        : segment
            .split(/[^A-Za-z0-9]+/)
            .filter(Boolean)
            .map(pascal)
            .join(''),
    );
  return `${owner}.${method.toLowerCase()}${words.join('')}`;
}

/**
 * OpenAPI 3.1 document of the whole API: the kernel's own routes (from its routers, with the schemas their handlers
 * validate with, read from their declarations) and the plugins' routes (from their definitions and JSON Schemas).
 */
export function openApiDocument(routes: readonly RegisteredRoute[], version: string, kernelRoutes: readonly KernelRouteDoc[] = [], serverUrl = '/'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of kernelRoutes) {
    const key = `${route.method} ${route.path}`;
    // The route's own declaration (kernel-route.ts): the schemas are the ones its handler validates with.
    const doc: KernelRouteDoc = route;
    const authenticated = route.access !== 'public';
    (paths[pathOf(route.path)] ??= {})[route.method.toLowerCase()] = {
      operationId: operationIdOf('kernel', route.method, route.path),
      summary: doc?.summary ?? key,
      tags: ['kernel'],
      'x-valueverse-access': route.access,
      parameters: [...paramsOf(route.path), ...queryParams(doc?.query as Record<string, unknown> | undefined)],
      requestBody: doc?.body
        ? {
            required: true,
            content: { 'application/json': { schema: doc.body }, ...(doc.alsoAccepts ? { [doc.alsoAccepts]: { schema: { type: 'string', format: 'binary' } } } : {}) },
          }
        : undefined,
      responses: {
        // A declared answer is a 200 (what the console's generated `ApiResponse<…, 200>` types read).
        ...(doc?.response
          ? { '200': { description: 'OK', content: { 'application/json': { schema: doc.response } } } }
          : { '2XX': { description: 'OK', content: { [doc?.produces ?? 'application/json']: {} } } }),
        ...errorResponsesOf({ path: route.path, authenticated, roleChecked: authenticated && route.access !== 'self', mayBeNotFound: false, takesBody: doc?.body !== undefined }),
        default: problemResponse,
      },
      security: authenticated ? [{ bearer: [] }, { apiKey: [] }] : [],
    };
  }
  for (const route of routes) {
    const path = `/api/v1${pathOf(route.path)}`;
    const params = [...paramsOf(route.path), ...queryParams(route.definition.schema?.query as Record<string, unknown> | undefined)];
    const idempotency = route.definition.access === 'public' ? undefined : route.definition.idempotency;
    if (idempotency) params.push(idempotencyKeyParam(idempotency === 'required'));
    const schema = route.definition.schema;
    const responses: Record<string, unknown> = {};
    for (const [status, body] of Object.entries(schema?.responses ?? {})) responses[status] = { description: status, content: { 'application/json': { schema: body } } };
    if (!schema?.responses) responses['200'] = { description: 'OK' };
    Object.assign(
      responses,
      errorResponsesOf({
        path: route.path,
        authenticated: !route.public,
        roleChecked: !route.public,
        mayBeNotFound: true,
        takesBody: schema?.body !== undefined || idempotency !== undefined,
      }),
    );
    responses.default = problemResponse;
    (paths[path] ??= {})[route.method.toLowerCase()] = {
      operationId: operationIdOf(route.pluginId, route.method, route.path, route.definition.operationId),
      summary: route.definition.summary,
      tags: [route.pluginId],
      ...(route.public ? { 'x-valueverse-access': 'public' } : { 'x-valueverse-min-role': route.minRole }),
      parameters: params,
      requestBody: schema?.body ? { required: true, content: { 'application/json': { schema: schema.body } } } : undefined,
      responses,
      // A public route authenticates its callers itself (a webhook signature, a signed link), not with a credential.
      security: route.public ? [] : [{ bearer: [] }, { apiKey: [] }],
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ValueVerse API', version },
    // Paths are absolute (`/api/v1/...`, `/health/...`), so the server is the deployment's origin.
    servers: [{ url: serverUrl, description: 'This deployment' }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from POST /api/v1/auth/login, or an API key (vvk_…)' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
      },
      responses: Object.fromEntries(Object.entries(errorResponses).map(([name, r]) => [name, { description: r.description, content: problemContent }])),
      schemas: {
        ProblemDetails: {
          type: 'object',
          description: 'RFC 9457 problem details, as the kernel writes them for every error',
          required: ['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string', description: 'Stable error code from the catalog, e.g. VV_VALIDATION' },
            detail: { type: 'string' },
            instance: { type: 'string' },
            requestId: { type: 'string' },
            errors: {
              type: 'array',
              items: {
                type: 'object',
                required: ['pointer', 'message'],
                properties: {
                  pointer: { type: 'string', description: 'JSON pointer into the request part named by `in`' },
                  message: { type: 'string' },
                  in: { type: 'string', enum: ['body', 'query', 'params', 'headers', 'config', 'manifest', 'env'] },
                },
              },
            },
          },
        },
      },
    },
  };
}
