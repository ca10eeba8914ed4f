import { Readable } from 'node:stream';
import type { Context } from 'koa';
import {
  VvError,
  isHttpResponse,
  type FieldProblem,
  type HttpMethod,
  type HttpRouter,
  type Logger,
  type PluginManifest,
  type PluginRequest,
  type RequestContext,
  type Role,
  type RouteDefinition,
  type UserContext,
} from '@valueverse/plugin-sdk';
import { hasRole } from '../identity/role-rank';
import { requestScope } from '../context/request-scope';
import { REQUEST_TRACE_CONTEXT, type TraceContextCarrier } from '../observability/tracing';
import { IdempotencyGuard } from '../idempotency/idempotency-guard';
import { MemoryIdempotencyStore } from '../idempotency/idempotency-store';
import type { RequestState } from './request-state';
import type { SchemaValidator } from './schema-validator';

const API_PREFIX = '/api/v1';
const methods: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const operationIdPattern = /^[A-Za-z][A-Za-z0-9_]*$/;
const pathPattern = /^(\/([a-z0-9][a-z0-9-]*|:[a-zA-Z][a-zA-Z0-9]*))+$/;

/** A route as the kernel keeps it: enough to dispatch, to build OpenAPI and to enumerate routes in security tests. */
export interface RegisteredRoute {
  readonly pluginId: string;
  readonly method: HttpMethod;
  /** Under /api/v1. */
  readonly path: string;
  readonly minRole: Role;
  /** Served without a credential (`access: 'public'`), for the tenant named by `:tenantId`. */
  readonly public: boolean;
  readonly definition: RouteDefinition<unknown, Record<string, unknown>>;
}

/**
 * The `core.http` service of one plugin. It accepts routes only inside the plugin's manifest prefixes and compiles
 * their schemas at registration, so bad registrations fail setup instead of a later request.
 */
export class PluginRouter implements HttpRouter {
  readonly routes: RegisteredRoute[] = [];
  private readonly staticRoutes = new Map<string, CompiledRoute>();
  private readonly paramRoutes: CompiledRoute[] = [];
  /** Routes the front of the pipeline must know before authentication or body parsing: public or raw-body ones. */
  private readonly earlyRoutes: CompiledRoute[] = [];
  private sealed = false;

  constructor(
    private readonly manifest: PluginManifest,
    private readonly validator: SchemaValidator,
    /** Serves routes that declare `idempotency`; shared by every plugin of the kernel. */
    private readonly idempotency: IdempotencyGuard = new IdempotencyGuard(new MemoryIdempotencyStore()),
  ) {}

  /** After setup: a plugin that keeps registering (e.g. after a timeout) is refused. */
  seal(): void {
    this.sealed = true;
  }

  route<Body = unknown, Query = Record<string, unknown>>(definition: RouteDefinition<Body, Query>): void {
    const plugin = this.manifest.id;
    if (this.sealed) throw new VvError('VV_PLUGIN_FAILED', { params: { plugin, state: 'sealed', reason: 'routes can only be registered during setup' } });
    if (!methods.includes(definition.method))
      throw VvError.validation([{ pointer: '/method', message: `unsupported method ${String(definition.method)}` }], `Plugin "${plugin}": unsupported method`);
    if (typeof definition.handler !== 'function') throw new TypeError(`Plugin "${plugin}": route ${definition.method} ${definition.path} has no handler`);
    if (!pathPattern.test(definition.path)) {
      throw new VvError('VV_ROUTE_CONFLICT', { detail: `Plugin "${plugin}" registered malformed path "${definition.path}"` });
    }
    const prefixes = this.manifest.routes ?? [];
    const inside = prefixes.some((p) => definition.path === p || definition.path.startsWith(`${p}/`));
    if (!inside) {
      throw new VvError('VV_ROUTE_CONFLICT', {
        detail: `Plugin "${plugin}" registered ${definition.path}, outside its manifest prefixes [${prefixes.join(', ')}]`,
      });
    }
    const access: unknown = definition.access;
    // What only an authenticated route declares (a public one is refused below if it does).
    const authOnly = definition as { readonly minRole?: Role; readonly idempotency?: 'optional' | 'required' };
    const isPublic = access === 'public';
    if (access !== undefined && !isPublic) {
      throw VvError.validation([{ pointer: '/access', message: 'must be "public" or absent' }], `Plugin "${plugin}": bad access on a route of ${definition.path}`);
    }
    if (isPublic) {
      if (!(this.manifest.permissions ?? []).includes('http.public')) {
        throw new VvError('VV_MANIFEST_INVALID', {
          params: { plugin, problems: `/permissions: must include "http.public" to register the public route ${definition.method} ${definition.path}` },
        });
      }
      if (!definition.path.split('/').includes(':tenantId')) {
        throw new VvError('VV_ROUTE_CONFLICT', {
          detail: `Plugin "${plugin}" registered the public route ${definition.method} ${definition.path} without a :tenantId parameter (a public route names its tenant in the path)`,
        });
      }
      if (authOnly.minRole !== undefined || authOnly.idempotency !== undefined) {
        throw VvError.validation(
          [{ pointer: authOnly.minRole !== undefined ? '/minRole' : '/idempotency', message: 'does not apply to a public route (it has no caller)' }],
          `Plugin "${plugin}": minRole or idempotency on the public route ${definition.method} ${definition.path}`,
        );
      }
    }
    if (definition.rawBody !== undefined && typeof definition.rawBody !== 'boolean') {
      throw VvError.validation([{ pointer: '/rawBody', message: 'must be a boolean' }], `Plugin "${plugin}": bad rawBody on ${definition.method} ${definition.path}`);
    }
    if (authOnly.idempotency !== undefined && (definition.method === 'GET' || !['optional', 'required'].includes(authOnly.idempotency))) {
      throw VvError.validation(
        [{ pointer: '/idempotency', message: `must be "optional" or "required", on a method other than GET` }],
        `Plugin "${plugin}": bad idempotency on ${definition.method} ${definition.path}`,
      );
    }
    if (
      definition.operationId !== undefined &&
      (!operationIdPattern.test(definition.operationId) || this.routes.some((r) => r.definition.operationId === definition.operationId))
    ) {
      throw VvError.validation(
        [{ pointer: '/operationId', message: `must match ${operationIdPattern.source} and be unique within the plugin` }],
        `Plugin "${plugin}": bad operationId on ${definition.method} ${definition.path}`,
      );
    }
    if (this.routes.some((r) => r.method === definition.method && r.path === definition.path)) {
      throw new VvError('VV_ROUTE_CONFLICT', { detail: `Plugin "${plugin}" registered ${definition.method} ${definition.path} twice` });
    }
    const validateParams = definition.schema?.params ? this.validator.compile(definition.schema.params, 'params') : undefined;
    const validateQuery = definition.schema?.query ? this.validator.compile(definition.schema.query, 'query') : undefined;
    const validateBody = definition.schema?.body ? this.validator.compile(definition.schema.body, 'body') : undefined;
    const minRole: Role = authOnly.minRole ?? (definition.method === 'GET' ? 'viewer' : 'member');
    const idempotency = authOnly.idempotency;
    const route: RegisteredRoute = { pluginId: plugin, method: definition.method, path: definition.path, minRole, public: isPublic, definition: definition as RouteDefinition };
    this.routes.push(route);

    const segments = definition.path.split('/').slice(1);
    const entry: CompiledRoute = {
      route,
      segments,
      paramNames: segments.flatMap((segment, i) => (segment.startsWith(':') ? [[i, segment.slice(1)] as const] : [])),
      handle: (ctx, params) => {
        const state = ctx.state;
        state.route = definition.path;
        const principal = state.principal;
        if (!principal) {
          // Only a public route is dispatched without a caller (kernel-http.ts); anything else is a kernel bug.
          if (!isPublic) throw new VvError('VV_UNAUTHENTICATED', { params: { reason: 'Authorization: Bearer <token> is required' } });
        } else if (!hasRole(principal.user.role, minRole)) {
          throw new VvError('VV_FORBIDDEN', {
            params: { reason: `${definition.method} ${definition.path} needs role "${minRole}" or stronger; you are "${principal.user.role}"` },
          });
        }
        // ctx.request, not ctx: Koa's delegating accessors are slow on a hot path (kernel-http.ts `front`).
        const koaRequest = ctx.request as Context['request'] & { body?: unknown };
        const query = koaRequest.querystring === '' ? {} : { ...(koaRequest.query as Record<string, unknown>) };
        const body = koaRequest.body;
        if (validateParams || validateQuery || validateBody) {
          const problems: FieldProblem[] = [
            ...(validateParams ? validateParams(params) : []),
            ...(validateQuery ? validateQuery(query) : []),
            ...(validateBody ? validateBody(body === undefined ? {} : body) : []),
          ];
          if (problems.length > 0) throw VvError.validation(problems);
        }
        const tenant = principal?.tenant ?? state.publicTenant!;
        const request = new KernelPluginRequest(ctx, definition.method, params, query, body, tenant, principal?.user, state);
        const handler = (definition as { handler(request: unknown): unknown }).handler;
        if (idempotency !== undefined && principal) {
          const call = {
            tenantId: principal.tenant.id,
            principal: principal.user.id,
            key: ctx.get('idempotency-key'),
            required: idempotency === 'required',
            target: `${definition.method} ${ctx.path}?${ctx.querystring}`,
            body,
            log: state.log,
          };
          return this.idempotency.run(call, () => requestScope.run(request.scope, handler, request)).then((value) => writeResult(ctx, value));
        }
        const result = requestScope.run(request.scope, handler, request);
        if (isPromiseLike(result)) return Promise.resolve(result).then((value) => writeResult(ctx, value));
        writeResult(ctx, result);
        return undefined;
      },
    };
    if (entry.paramNames.length === 0) this.staticRoutes.set(`${definition.method} ${definition.path}`, entry);
    else this.paramRoutes.push(entry);
    if (isPublic || definition.rawBody === true) this.earlyRoutes.push(entry);
  }

  /**
   * The public or raw-body route for `method` and `path`, if any: asked before authentication and body parsing, so
   * it costs one length check for a plugin without such routes (the usual case).
   */
  matchEarly(method: string, path: string): { readonly route: CompiledRoute; readonly params: Record<string, string> } | undefined {
    if (this.earlyRoutes.length === 0) return undefined;
    const found = this.match(method, path);
    return found && this.earlyRoutes.includes(found.route) ? found : undefined;
  }

  /**
   * The route for `method` and `path` (below `/api/v1`, a trailing slash ignored) with its decoded parameters, or
   * undefined. A static path wins over a parameterised one (`/models/library` over `/models/:id`); among
   * parameterised ones the first registered wins.
   */
  match(method: string, path: string): { readonly route: CompiledRoute; readonly params: Record<string, string> } | undefined {
    const clean = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
    const exact = this.staticRoutes.get(`${method} ${clean}`);
    if (exact) return { route: exact, params: {} };
    if (this.paramRoutes.length === 0) return undefined;
    const parts = clean.split('/');
    for (const candidate of this.paramRoutes) {
      if (candidate.route.method !== method || candidate.segments.length !== parts.length - 1) continue;
      let ok = true;
      for (let i = 0; i < candidate.segments.length && ok; i++) {
        const segment = candidate.segments[i]!;
        if (segment.charCodeAt(0) !== 58 /* : */ && segment !== parts[i + 1]) ok = false;
        else if (parts[i + 1] === '') ok = false;
      }
      if (!ok) continue;
      const params: Record<string, string> = {};
      for (const [i, name] of candidate.paramNames) {
        try {
          params[name] = decodeURIComponent(parts[i + 1]!);
        } catch {
          throw VvError.validation([{ pointer: `/${name}`, message: 'is not valid percent-encoding', in: 'params' }]);
        }
      }
      return { route: candidate, params };
    }
    return undefined;
  }
}

/** A registered route, ready to match and serve. */
export interface CompiledRoute {
  readonly route: RegisteredRoute;
  readonly segments: readonly string[];
  readonly paramNames: readonly (readonly [number, string])[];
  /** Undefined when the handler answered synchronously; else a promise of the answer being written. */
  handle(ctx: Context & { state: RequestState }, params: Record<string, string>): Promise<void> | undefined;
}

/**
 * What a handler receives. A class rather than an object literal: the log and the abort signal are made on first
 * use, and most requests touch neither.
 */
class KernelPluginRequest implements Omit<PluginRequest<unknown, Record<string, unknown>>, 'user'> {
  readonly path: string;
  readonly headers: Record<string, string | undefined>;
  readonly config: Readonly<Record<string, unknown>>;
  readonly requestId: string;
  private abort: AbortController | undefined;

  constructor(
    private readonly ctx: Context & { state: RequestState },
    readonly method: HttpMethod,
    readonly params: Record<string, string>,
    readonly query: Record<string, unknown>,
    readonly body: unknown,
    readonly tenant: PluginRequest['tenant'],
    /** Undefined on a public route. */
    readonly user: UserContext | undefined,
    private readonly state: RequestState,
  ) {
    const request = ctx.request;
    this.path = request.path.slice(API_PREFIX.length);
    this.headers = request.headers as Record<string, string | undefined>;
    this.config = state.pluginConfig ?? {};
    this.requestId = state.requestId;
  }

  /** The exact bytes, kept by the front of the pipeline for a route that declares `rawBody: true`. */
  get rawBody(): Buffer | undefined {
    return this.state.rawBody;
  }

  /**
   * What `core.context` answers below the handler; with the request's trace context when it runs without one of its
   * own (kernel/src/observability/tracing.ts `traceRequests`).
   */
  get scope(): RequestContext {
    const scope: RequestContext & TraceContextCarrier = { requestId: this.requestId, tenant: this.tenant, user: this.user };
    const trace = (this.ctx as TraceContextCarrier)[REQUEST_TRACE_CONTEXT];
    if (trace !== undefined) scope[REQUEST_TRACE_CONTEXT] = trace;
    return scope;
  }

  get log(): Logger {
    return this.state.log;
  }

  get signal(): AbortSignal {
    if (!this.abort) {
      const controller = (this.abort = new AbortController());
      const { req, res } = this.ctx;
      req.once('close', () => {
        if (!res.writableFinished) controller.abort();
      });
    }
    return this.abort.signal;
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

function writeResult(ctx: Context, result: unknown): void {
  if (isHttpResponse(result)) {
    ctx.status = result.status;
    for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
    if (result.body instanceof Readable) {
      ctx.body = result.body;
    } else if (result.body !== undefined) {
      ctx.body = result.body as never;
    }
    return;
  }
  // Through ctx.response, not ctx: Koa's ctx.status and ctx.body are setters that delegate with a keyed store
  // (`this.response[name] = value`) shared by every delegated setter, so V8 runs each through its slow runtime path
  // (about 1 µs apiece in the NPV request's profile); the response's own setters are plain named stores.
  const response = ctx.response;
  if (result === undefined) {
    response.status = 204;
    return;
  }
  response.status = 200;
  // A plain object or array is what Koa answers as JSON; its Content-Type is set here directly (the value Koa's
  // `type = 'json'` gives) to spare Koa's mime look-up and header helper on every request.
  if (isPlainJson(result) && !ctx.res.hasHeader('content-type')) ctx.res.setHeader('Content-Type', JSON_CONTENT_TYPE);
  response.body = result as never;
}

const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

function isPlainJson(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}
