import { Readable } from 'node:stream';
import { Router, type RouterContext } from '@koa/router';
import {
  VvError,
  isHttpResponse,
  type FieldProblem,
  type HttpMethod,
  type HttpRouter,
  type PluginManifest,
  type PluginRequest,
  type Role,
  type RouteDefinition,
} from '@valueverse/plugin-sdk';
import { hasRole } from '../auth/role-rank';
import { requestScope } from '../context/request-scope';
import type { RequestState } from './request-state';
import type { SchemaValidator } from './schema-validator';

const methods: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
const pathPattern = /^(\/([a-z0-9][a-z0-9-]*|:[a-zA-Z][a-zA-Z0-9]*))+$/;

/** A route as the kernel keeps it: enough to dispatch, to build OpenAPI and to enumerate routes in security tests. */
export interface RegisteredRoute {
  readonly pluginId: string;
  readonly method: HttpMethod;
  /** Under /api/v1. */
  readonly path: string;
  readonly minRole: Role;
  readonly definition: RouteDefinition<unknown, Record<string, unknown>>;
}

/**
 * The `core.http` service of one plugin. It accepts routes only inside the plugin's manifest prefixes and compiles
 * their schemas at registration, so bad registrations fail setup instead of a later request.
 */
export class PluginRouter implements HttpRouter {
  readonly koaRouter = new Router<RequestState>({ prefix: '/api/v1' });
  readonly routes: RegisteredRoute[] = [];
  private sealed = false;

  constructor(
    private readonly manifest: PluginManifest,
    private readonly validator: SchemaValidator,
  ) {}

  /** After setup: a plugin that keeps registering (e.g. after a timeout) is refused. */
  seal(): void {
    this.sealed = true;
  }

  route<Body = unknown, Query = Record<string, unknown>>(definition: RouteDefinition<Body, Query>): void {
    const plugin = this.manifest.id;
    if (this.sealed) throw new VvError('VV_PLUGIN_FAILED', { params: { plugin, state: 'sealed', reason: 'routes can only be registered during setup' } });
    if (!methods.includes(definition.method)) throw VvError.validation([{ pointer: '/method', message: `unsupported method ${String(definition.method)}` }], `Plugin "${plugin}": unsupported method`);
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
    if (this.routes.some((r) => r.method === definition.method && r.path === definition.path)) {
      throw new VvError('VV_ROUTE_CONFLICT', { detail: `Plugin "${plugin}" registered ${definition.method} ${definition.path} twice` });
    }
    const validateParams = definition.schema?.params ? this.validator.compile(definition.schema.params, 'params') : undefined;
    const validateQuery = definition.schema?.query ? this.validator.compile(definition.schema.query, 'query') : undefined;
    const validateBody = definition.schema?.body ? this.validator.compile(definition.schema.body, 'body') : undefined;
    const minRole: Role = definition.minRole ?? (definition.method === 'GET' ? 'viewer' : 'member');
    const route: RegisteredRoute = { pluginId: plugin, method: definition.method, path: definition.path, minRole, definition: definition as RouteDefinition };
    this.routes.push(route);

    this.koaRouter.register(definition.path, [definition.method], async (ctx: RouterContext<RequestState>) => {
      const state = ctx.state;
      state.route = definition.path;
      const principal = state.principal!;
      if (!hasRole(principal.user.role, minRole)) {
        throw new VvError('VV_FORBIDDEN', { params: { reason: `${definition.method} ${definition.path} needs role "${minRole}" or stronger; you are "${principal.user.role}"` } });
      }
      const params = { ...ctx.params } as Record<string, string>;
      const query = { ...(ctx.query as Record<string, unknown>) };
      const body = (ctx.request as { body?: unknown }).body;
      const problems: FieldProblem[] = [
        ...(validateParams ? validateParams(params) : []),
        ...(validateQuery ? validateQuery(query) : []),
        ...(validateBody ? validateBody(body === undefined ? {} : body) : []),
      ];
      if (problems.length > 0) throw VvError.validation(problems);

      // The abort signal is wired up only for handlers that read it; most never do.
      let abort: AbortController | undefined;
      const signal = () => {
        if (!abort) {
          const controller = (abort = new AbortController());
          ctx.req.once('close', () => {
            if (!ctx.res.writableFinished) controller.abort();
          });
        }
        return abort.signal;
      };
      const request: PluginRequest<unknown, Record<string, unknown>> = {
        method: definition.method,
        path: ctx.path.slice('/api/v1'.length),
        params,
        query,
        body,
        headers: ctx.headers as Record<string, string | undefined>,
        tenant: principal.tenant,
        user: principal.user,
        config: state.pluginConfig ?? {},
        requestId: state.requestId,
        get log() {
          return state.log;
        },
        get signal() {
          return signal();
        },
      };
      const result = await requestScope.run({ requestId: state.requestId, tenant: principal.tenant, user: principal.user }, () =>
        (definition as RouteDefinition).handler(request),
      );
      writeResult(ctx, result);
    });
  }
}

function writeResult(ctx: RouterContext<RequestState>, result: unknown): void {
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
  if (result === undefined) {
    ctx.status = 204;
    return;
  }
  ctx.status = 200;
  ctx.body = result as never;
}
