import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { performance } from 'node:perf_hooks';
import Koa, { type Context, type Middleware, type Next } from 'koa';
import { bodyParser } from '@koa/bodyparser';
import getRawBody from 'raw-body';
import { VvError } from '@valueverse/plugin-sdk';
import type { Authenticator } from '../identity/authenticate';
import type { PluginRecord } from '../lifecycle/plugin-state';
import type { KernelLogger } from '../observability/kernel-logger';
import type { KernelMetrics } from '../observability/kernel-metrics';
import { inSpan, otel, recording, traceRequests, type Otel } from '../observability/tracing';
import type { TenantView } from '../plugin-sets/plugin-set-cache';
import type { CorsPolicy } from './cors-policy';
import { guardRequestInput } from './input-guard';
import { mountFor, type KernelMount, type MountCaller } from './kernel-mount';
import { kernelRouter, requireRole, type KernelRoute } from './kernel-route';
import { pluginDispatcher, pluginOwnerLookup, publicPluginDispatcher } from './plugin-dispatcher';
import type { PluginRouter } from './plugin-router';
import { bodyParserError, toVvError, writeProblem } from './problem-response';
import { KernelRequestState, type RequestState } from './request-state';
import type { RouteOwnership } from './route-ownership';
import type { SchemaValidator } from './schema-validator';
import { TrustedProxies } from './trusted-proxies';

/** What every kernel middleware sees: Koa's context with the kernel's request state (and the caller's tenant view). */
type KernelHttpContext = Parameters<Authenticator>[0];

export interface KernelHttpOptions {
  readonly logger: KernelLogger;
  readonly metrics: KernelMetrics;
  readonly cors: CorsPolicy;
  readonly validator: SchemaValidator;
  readonly records: ReadonlyMap<string, PluginRecord>;
  readonly ownership: RouteOwnership;
  readonly routers: ReadonlyMap<string, PluginRouter>;
  /** The kernel's own routes: public ones are served before authentication, the others after it. */
  readonly routes: readonly KernelRoute[];
  readonly authenticate: Authenticator;
  /** Per-tenant and per-API-key rate limits, after authentication; none: no limits. */
  readonly limit?: (ctx: KernelHttpContext) => Promise<void> | undefined;
  /** Per-client-address rate limit of public plugin routes (`access: 'public'`), before the tenant is looked up. */
  readonly limitPublic?: (ctx: KernelHttpContext) => Promise<void> | undefined;
  /** A tenant's view (record and enabled plugins), for public plugin routes, which name their tenant in the path. */
  readonly tenantView?: (tenantId: string) => TenantView | undefined | Promise<TenantView | undefined>;
  /** Runs before authentication on the event stream (it accepts `?access_token=`). */
  readonly streamPath: string;
  readonly acceptStreamToken: (ctx: Context, next: Next) => Promise<unknown>;
  readonly trustedProxies?: readonly string[];
  readonly bodyLimit?: string;
  /** Apps served under their path prefix before plugin dispatch and the kernel's routes (kernel-mount.ts). */
  readonly mounts?: readonly KernelMount[];
  /** Platform metering: counts each request of a tenant (an O(1) map increment, nothing more). */
  readonly meter?: { request(tenantId: string): void };
}

export interface KernelHttp {
  callback(): ReturnType<Koa['callback']>;
  listen(port: number, host?: string): Promise<Server>;
  /** True once `drain` began: new requests answer 503 VV_SHUTTING_DOWN. */
  readonly draining: boolean;
  /** Stops accepting, answers new requests 503, waits for in-flight ones (up to `drainMs`), then closes connections. */
  drain(drainMs: number): Promise<void>;
}

/**
 * The HTTP pipeline. One front middleware does the per-request work every request needs (request id, in-flight
 * count, metrics, problem+json, the drain gate, the body) and serves plugin routes directly; kernel routes continue
 * down the chain. Fewer middleware layers means fewer promises, which is most of the kernel's cost per request (each
 * promise also pays for the request scope's async hooks on Node 20).
 */
export function createKernelHttp(options: KernelHttpOptions): KernelHttp {
  const { logger, metrics } = options;
  const app = new Koa<RequestState>();
  // Koa reports errors it meets while writing a response (a client that hung up mid-stream, say) on 'error' and
  // would print them to stderr; they go to the log instead, hang-ups at debug level.
  app.on('error', (error: NodeJS.ErrnoException) => {
    const hangUp = error?.code === 'ERR_STREAM_PREMATURE_CLOSE' || error?.code === 'ECONNRESET' || error?.code === 'EPIPE' || error?.code === 'ECONNABORTED';
    if (hangUp) logger.debug({ err: error }, 'client closed the connection before the response was written');
    else logger.error({ err: error }, 'error while writing a response');
  });
  // X-Forwarded-For is believed only from the configured proxies (VV_TRUSTED_PROXIES): anyone can write one.
  // (TrustedProxies only sets `app.proxy` and its IP getter; it reads no state, hence `Koa<never>`.)
  new TrustedProxies(options.trustedProxies ?? []).install(app as unknown as Koa<never>);
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  let server: Server | undefined;
  const pluginOwner = pluginOwnerLookup(options.ownership);
  // Tracing on: authentication and the plugin's handler each in a span; off, the plain functions.
  const api = otel();
  const { authenticate, limit, servePlugin } = api
    ? tracedSteps(api, options, pluginDispatcher(options.records, options.routers))
    : { authenticate: options.authenticate, limit: options.limit, servePlugin: pluginDispatcher(options.records, options.routers) };
  const servePublic = publicPluginDispatcher(options.records, options.tenantView ?? (() => undefined));
  const routers = options.routers;
  const meter = options.meter;
  // JSON everywhere; CSV (text/csv) for imports, handed to the route as a string.
  const bodyLimit = options.bodyLimit ?? '1mb';
  const parseBody = bodyParser({
    jsonLimit: bodyLimit,
    textLimit: bodyLimit,
    enableTypes: ['json', 'text'],
    extendTypes: { text: ['text/csv'] },
    onError: (error) => {
      throw bodyParserError(error, bodyLimit);
    },
  });
  const maxBodyBytes = byteSize(bodyLimit);
  const mounts = options.mounts ?? [];
  // A mounted app's routes for the deployment's users: the kernel's authentication, then the role check of its routes.
  const callerOf = (ctx: KernelHttpContext): MountCaller => ({
    requireRole: async (minimum) => {
      await options.authenticate(ctx);
      requireRole(ctx, minimum);
      return ctx.state.principal!;
    },
  });
  const onResponseClosed = () => {
    inFlight -= 1;
    if (draining && inFlight === 0) drained?.();
  };
  const front = async (ctx: KernelHttpContext, next: Next): Promise<void> => {
    // Koa's request and response objects directly: each `ctx.x` is a delegating accessor whose keyed look-up is
    // shared by every delegated name, so V8 takes its megamorphic path on every use.
    const request = ctx.request;
    const incoming = request.get('x-request-id');
    const requestId = incoming !== '' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    const state = new KernelRequestState(requestId, logger);
    ctx.state = state;
    // Straight to Node (Koa's ctx.set allocates arrays and closures per call); nothing has been sent yet.
    ctx.res.setHeader('X-Request-Id', requestId);
    const startedAt = performance.now();
    inFlight += 1;
    // In flight until the response is written out, not until this middleware returns: Koa writes the body after
    // the chain resolves, and close() must not cut connections (closeAllConnections) before that.
    // `on`, not `once`: a response closes once, and once() would wrap the listener in a new closure per request.
    ctx.res.on('close', onResponseClosed);
    try {
      if (draining) {
        ctx.set('Connection', 'close');
        throw new VvError('VV_SHUTTING_DOWN', { headers: { 'Retry-After': '1' } });
      }
      const method = request.method;
      const path = request.path;
      const mount = mounts.length > 0 ? mountFor(mounts, path) : undefined;
      const pluginId = mount ? undefined : pluginOwner(path);
      // A public or raw-body plugin route is known before the body is read and the caller authenticated; for a
      // plugin without such routes this is one length check.
      const early = pluginId === undefined ? undefined : routers.get(pluginId)?.matchEarly(method === 'HEAD' ? 'GET' : method, path.slice(API_PREFIX.length));
      if (method !== 'GET' && method !== 'HEAD' && method !== 'DELETE') {
        if (early?.route.route.definition.rawBody === true) await readRawBody(ctx, state, bodyLimit);
        else {
          // The usual JSON body read directly; anything else (another type, an encoding, no length) by the parser.
          const reading = readJsonBody(ctx, method, maxBodyBytes, bodyLimit);
          if (reading !== undefined) await reading;
          else await parseBody(ctx, noop);
        }
      }
      guardRequestInput(ctx);
      if (early?.route.route.public === true) {
        const limiting = options.limitPublic?.(ctx);
        if (limiting) await limiting;
        await servePublic(ctx, pluginId!, early);
      } else if (mount) {
        state.plugin = mount.name;
        await mount.handle(ctx, callerOf(ctx));
        if (ctx.status === 404 && ctx.body === undefined) throw new VvError('VV_NOT_FOUND', { detail: `No route ${ctx.method} ${ctx.path}` });
      } else if (pluginId !== undefined) {
        const authenticating = authenticate(ctx);
        if (authenticating) await authenticating;
        // Undefined when the tokens were at hand (leased or in memory): no promise to wait for on the hot path.
        const limiting = limit?.(ctx);
        if (limiting) await limiting;
        const serving = servePlugin(ctx, pluginId);
        if (serving) await serving;
      } else {
        await next();
        if (ctx.status === 404 && ctx.body === undefined) throw new VvError('VV_NOT_FOUND', { detail: `No route ${ctx.method} ${ctx.path}` });
        if (ctx.status === 405 && ctx.body === undefined) throw new VvError('VV_NOT_FOUND', { detail: `Method ${ctx.method} is not allowed on ${ctx.path}` });
      }
    } catch (error) {
      const vv = toVvError(error, requestId);
      metrics.httpErrors.inc({ plugin: state.plugin ?? 'kernel', code: vv.code });
      if (vv.status >= 500) logger.error({ err: error, requestId, code: vv.code, path: ctx.path, plugin: state.plugin }, vv.message);
      writeProblem(ctx, vv, requestId);
    } finally {
      if (meter !== undefined) {
        const tenant = state.principal?.tenant.id ?? state.publicTenant?.id;
        if (tenant !== undefined) meter.request(tenant);
      }
      metrics.observeRequest(
        state.plugin ?? 'kernel',
        state.route ?? (ctx._matchedRoute as string | undefined) ?? 'unmatched',
        request.method,
        String(ctx.response.status),
        (performance.now() - startedAt) / 1000,
        state.principal?.tenant.id,
      );
    }
  };
  // koa-router types its middleware for its own context (params, router); Koa hands it ours, which it extends at
  // run time — the two casts below say so to the compiler.
  const publicRoutes = kernelRouter(
    options.routes.filter((r) => r.access === 'public'),
    options.validator,
  ).routes();
  const signedInRoutes = kernelRouter(
    options.routes.filter((r) => r.access !== 'public'),
    options.validator,
  ).routes();
  const signedIn = async (ctx: KernelHttpContext, next: Next): Promise<unknown> => {
    if (!ctx.path.startsWith('/api/')) return next();
    await authenticate(ctx);
    const limiting = limit?.(ctx);
    if (limiting) await limiting;
    return signedInRoutes(ctx as never, next);
  };
  // Koa types the chain with its own DefaultContext; every middleware here reads the kernel's request state.
  const use = (middleware: (ctx: KernelHttpContext, next: Next) => Promise<unknown>) => app.use(middleware as unknown as Middleware<RequestState>);
  if (options.cors.enabled) app.use(options.cors.middleware());
  // Tracing on: the request's server span (and the one sampling decision) around everything the kernel does.
  // A plugin's route not sampled runs without a trace context of its own: its handler's request scope carries it.
  const pluginRoute = (ctx: KernelHttpContext) => pluginOwner(ctx.path) !== undefined && (mounts.length === 0 || mountFor(mounts, ctx.path) === undefined);
  use(api ? traceRequests(api, front, { frameless: pluginRoute }) : front);
  use((ctx, next) => publicRoutes(ctx as never, next));
  use(async (ctx, next) => (ctx.path === options.streamPath ? options.acceptStreamToken(ctx, next) : next()));
  use(signedIn);

  return {
    callback: () => app.callback(),
    get draining() {
      return draining;
    },
    listen: (port, host = '127.0.0.1') =>
      new Promise<Server>((resolve, reject) => {
        const s = app.listen(port, host);
        s.once('listening', () => {
          server = s;
          resolve(s);
        });
        s.once('error', reject);
      }),
    drain: async (drainMs) => {
      draining = true;
      if (!server) return;
      const closing = new Promise<void>((resolve) => server!.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await new Promise<void>((resolve) => {
          drained = resolve;
          setTimeout(resolve, drainMs).unref();
        });
      }
      server.closeAllConnections();
      await closing;
    },
  };
}

const API_PREFIX = '/api/v1';
const requestIdPattern = /^[A-Za-z0-9._-]{8,128}$/;
const sizeUnits: Readonly<Record<string, number>> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/**
 * Reads the body's exact bytes for a route that declares `rawBody: true` (a webhook checks its signature over
 * them) and parses them as the body parser would: JSON for a JSON content type, a string for text, else `{}`.
 */
async function readRawBody(ctx: KernelHttpContext, state: RequestState, limit: string): Promise<void> {
  const maxBytes = byteSize(limit);
  let raw: Buffer;
  try {
    // raw-body refuses a declared length over the limit before reading, and stops reading once the limit is passed.
    raw = await getRawBody(ctx.req, { length: ctx.get('content-length') || undefined, limit: maxBytes });
  } catch (error) {
    throw bodyParserError(error, limit);
  }
  state.rawBody = raw;
  const request = ctx.request as { body?: unknown };
  if (raw.length === 0) request.body = {};
  else if (ctx.is('json', '+json')) {
    try {
      request.body = JSON.parse(raw.toString('utf8')) as unknown;
    } catch (error) {
      throw bodyParserError(error, limit);
    }
  } else if (ctx.is('text/*')) request.body = raw.toString('utf8');
  else request.body = {};
}
const noop = async (): Promise<void> => {};

/** The body limit (`1mb`, the parser's size syntax) in bytes; 1 MiB when it cannot be read. */
function byteSize(limit: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)\s*$/i.exec(limit);
  return match ? Math.floor(Number(match[1]) * sizeUnits[match[2]!.toLowerCase()]!) : 1024 ** 2;
}

/** What @hapi/bourne (the body parser's JSON.parse) refuses: a `__proto__` key, escaped or not. */
const protoKey = /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"\s*:/;
/** The body parser's strict mode: a JSON body is an object or an array. */
const objectOrArray = /^[ \t\n\r]*[[{]/;

/** An error as the body parser (raw-body) raises it, for `bodyParserError`. */
function bodyError(message: string, status: number): Error {
  return Object.assign(new Error(message), { status });
}

/**
 * The common request body read without the general parser (@koa/bodyparser → co-body → raw-body, about 5 µs of an
 * NPV request): a POST, PUT or PATCH whose Content-Type is `application/json` (optionally `; charset=utf-8`), with a
 * Content-Length within the limit and no Content-Encoding. It answers as the parser would: UTF-8 with a byte-order
 * mark dropped, an object or an array only, a `__proto__` key refused, a short or aborted body refused, and the
 * result in `ctx.request.body`. Undefined when the request is not that case: the parser reads it.
 */
function readJsonBody(ctx: KernelHttpContext, method: string, maxBytes: number, limit: string): Promise<void> | undefined {
  if (method !== 'POST' && method !== 'PUT' && method !== 'PATCH') return undefined;
  const req = ctx.req;
  const headers = req.headers;
  const type = headers['content-type'];
  if (type !== 'application/json' && !(type !== undefined && jsonUtf8.test(type))) return undefined;
  const declared = headers['content-length'];
  if (declared === undefined || headers['content-encoding'] !== undefined || req.closed || req.readableEnded) return undefined;
  const length = Number(declared);
  if (!(length > 0) || length > maxBytes || !Number.isInteger(length) || !/^\d+$/.test(declared)) return undefined;
  return new Promise<void>((resolve, reject) => {
    let first: Buffer | undefined;
    let more: Buffer[] | undefined;
    let received = 0;
    const finish = (error: Error | undefined) => {
      req.removeListener('data', onData);
      req.removeListener('end', onEnd);
      req.removeListener('error', onError);
      req.removeListener('aborted', onAborted);
      req.removeListener('close', onClose);
      if (error !== undefined) {
        req.unpipe();
        req.pause();
        reject(bodyParserError(error, limit));
        return;
      }
      const raw = more === undefined ? first! : Buffer.concat([first!, ...more], received);
      let text = raw.toString('utf8');
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      let parsed: unknown;
      try {
        if (!objectOrArray.test(text)) throw new SyntaxError('invalid JSON, only supports object and array');
        parsed = JSON.parse(text);
        // Only a body holding `_` or an escape can spell `__proto__`: the check is a scan of those few.
        if ((text.includes('_') || text.includes('\\u')) && protoKey.test(text)) throw new SyntaxError('Object contains forbidden prototype property');
      } catch (cause) {
        reject(bodyParserError(Object.assign(cause as Error, { status: 400 }), limit));
        return;
      }
      (ctx.request as { body?: unknown }).body = parsed;
      resolve();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received > length) return finish(bodyError('request size did not match content length', 400));
      if (first === undefined) first = chunk;
      else (more ??= []).push(chunk);
    };
    const onEnd = () => finish(received === length ? undefined : bodyError('request size did not match content length', 400));
    const onError = (error: Error) => finish(error);
    const onAborted = () => finish(bodyError('request aborted', 400));
    const onClose = () => finish(bodyError('request aborted', 400));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
    req.on('close', onClose);
  });
}
const jsonUtf8 = /^application\/json\s*;\s*charset="?utf-8"?$/i;

/**
 * The kernel's request steps with tracing on. Authentication puts what it resolved (tenant, role, kind of user, never
 * a credential or a person's data) on the request's server span rather than in a span of its own: it is a cached
 * token check (a PostgreSQL or Redis call it makes is still a child span of the request), and a span of its own was
 * a third of what a sampled request exported. `vv.plugin.handle` is a span around the owning plugin's handler
 * (plugin id and version, tenant, route template, role).
 */
function tracedSteps(api: Otel, options: KernelHttpOptions, dispatch: ReturnType<typeof pluginDispatcher>) {
  // A request that is not sampled (most: one in ten is, by default) takes the plain steps: its server span
  // (traceRequests) is not recording, so nothing below it would be.
  const principalAttributes = (ctx: KernelHttpContext) => {
    const principal = ctx.state.principal;
    if (!principal) return;
    api.trace.getActiveSpan()?.setAttributes({ 'vv.tenant': principal.tenant.id, 'vv.user.role': principal.user.role, 'vv.user.kind': principal.user.kind });
  };
  const authenticate: Authenticator = (ctx) => {
    const authenticating = options.authenticate(ctx);
    if (!recording(api)) return authenticating;
    if (!authenticating) return void principalAttributes(ctx);
    return authenticating.then(() => principalAttributes(ctx));
  };
  // Rate limits take a token from memory (leased from Redis now and then, a Redis span of the request when it happens):
  // not a span of their own.
  const limit = options.limit;
  const servePlugin = (ctx: KernelHttpContext, pluginId: string) => {
    if (!recording(api)) return dispatch(ctx, pluginId);
    const record = options.records.get(pluginId);
    const principal = ctx.state.principal;
    // The method is the server span's (its parent), as are the tenant and role; the plugin attributes are here too.
    return inSpan(
      api,
      `vv.plugin.handle ${pluginId}`,
      {
        'vv.plugin.id': pluginId,
        'vv.plugin.version': record?.manifest.version ?? 'unknown',
        'vv.tenant': principal?.tenant.id ?? 'unknown',
        'vv.user.role': principal?.user.role ?? 'none',
      },
      () => {
        const serving = dispatch(ctx, pluginId);
        const route = () => ctx.state.route && api.trace.getActiveSpan()?.setAttribute('http.route', `/api/v1${ctx.state.route}`);
        if (!serving) return void route();
        return serving.then(route);
      },
    );
  };
  return { authenticate, limit, servePlugin };
}
