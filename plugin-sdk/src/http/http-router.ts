import type { Logger } from '../services/logger';

/** Roles, weakest first. A route's `minRole` admits that role and every stronger one. */
export const roles = ['viewer', 'member', 'tenant-admin', 'platform-admin'] as const;
export type Role = (typeof roles)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON Schema (draft-07 or 2019-09 keywords understood by ajv). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/**
 * A tenant's colours, set by its admins (`PUT /api/v1/admin/tenants/:tenantId/branding`) and used wherever the
 * tenant's documents face its customers (reports, PDFs, share links). Colours are `#rrggbb`. The logo is not here:
 * it is read on its own, only where a document shows it (`coreServices.branding`).
 */
export interface TenantBranding {
  readonly primaryColor?: string;
  readonly accentColor?: string;
}

/** A tenant's logo: a small PNG or JPEG (at most 64 kB), base64 — never SVG, so it cannot carry script. */
export interface TenantLogo {
  readonly mediaType: 'image/png' | 'image/jpeg';
  /** The image's bytes, base64. */
  readonly data: string;
}

export interface TenantContext {
  readonly id: string;
  readonly name: string;
  /** The tenant's colours; absent when its admins set none. */
  readonly branding?: TenantBranding;
}

export interface UserContext {
  readonly id: string;
  readonly email?: string;
  /** The caller's role in the current tenant. */
  readonly role: Role;
  /** `user` for a signed-in person, `api-key` for a machine credential. */
  readonly kind: 'user' | 'api-key';
}

/** What a route handler receives: the parsed, validated request and its tenant, user and plugin config. */
export interface PluginRequest<Body = unknown, Query = Record<string, unknown>> {
  readonly method: HttpMethod;
  /** Path under `/api/v1`, e.g. `/calculate/npv`. */
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Query;
  readonly body: Body;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly tenant: TenantContext;
  readonly user: UserContext;
  /** This plugin's configuration for the tenant, secrets decrypted. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly requestId: string;
  readonly log: Logger;
  /** Aborted when the client goes away or the instance drains past its deadline. */
  readonly signal: AbortSignal;
  /**
   * The request body's exact bytes, on routes that declare `rawBody: true` (e.g. to check a webhook's signature);
   * `body` is still the parsed JSON (or text) when the content type is one. Undefined on other routes.
   */
  readonly rawBody?: Buffer;
}

/**
 * What a public route's handler receives (`access: 'public'`): no caller (`user` is absent), and the tenant the
 * kernel resolved from the path's `:tenantId`.
 */
export type PublicPluginRequest<Body = unknown, Query = Record<string, unknown>> = Omit<PluginRequest<Body, Query>, 'user'> & {
  /** Always absent on a public route (typed optional so that a `PluginRequest` is also a `PublicPluginRequest`). */
  readonly user?: UserContext;
};

/** An explicit response; return a plain value instead for `200` with a JSON body. */
export interface HttpResponse {
  readonly $$type: 'valueverse.http-response';
  readonly version: 'v1';
  readonly status: number;
  /** JSON-serialisable value, a string, a Buffer, or a Node.js readable stream (e.g. server-sent events). */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * Builds an explicit response.
 *
 * @example
 * return respond(201, created, { Location: `/api/v1/value-models/${created.id}` });
 */
export function respond(status: number, body?: unknown, headers?: Record<string, string>): HttpResponse {
  return Object.freeze({ $$type: 'valueverse.http-response', version: 'v1', status, body, headers });
}

export function isHttpResponse(value: unknown): value is HttpResponse {
  return typeof value === 'object' && value !== null && (value as HttpResponse).$$type === 'valueverse.http-response';
}

/** What every route declares, public or not. */
interface RouteDefinitionBase {
  readonly method: HttpMethod;
  /** Path under `/api/v1`, inside one of the manifest's `routes` prefixes; `:name` marks a parameter. */
  readonly path: string;
  /** One line for the OpenAPI document. */
  readonly summary?: string;
  /**
   * The operation's name in the OpenAPI document (`^[A-Za-z][A-Za-z0-9_]*$`, unique within the plugin), published
   * as `<pluginId>.<operationId>`. Default: derived from the method and path, e.g. `postCommitmentsByIdTransitions`.
   */
  readonly operationId?: string;
  /**
   * Hand the handler the body's exact bytes as `request.rawBody` (a `Buffer`), besides the parsed `body`: what a
   * webhook needs to check a signature computed over the bytes sent.
   */
  readonly rawBody?: boolean;
  readonly schema?: {
    readonly params?: JsonSchema;
    readonly query?: JsonSchema;
    readonly body?: JsonSchema;
    /** Response schemas by status, for the OpenAPI document. */
    readonly responses?: Readonly<Record<number, JsonSchema>>;
  };
}

/**
 * One route of a plugin, served to signed-in callers (a token or an API key). The kernel validates params, query
 * and body against `schema` before the handler runs.
 */
export interface AuthenticatedRouteDefinition<Body = unknown, Query = Record<string, unknown>> extends RouteDefinitionBase {
  /** Absent: the route needs a signed-in caller of `minRole` or stronger. */
  readonly access?: undefined;
  /** Weakest role allowed. Default: `viewer` for GET, `member` otherwise. */
  readonly minRole?: Role;
  /**
   * `Idempotency-Key` support, for POSTs that create money or usage (or any record a retry must not duplicate).
   * With `'optional'` a request that carries the header runs once per key: a retry with the same key and the same
   * method, path, query and body gets the first response again, marked `Idempotent-Replayed: true`, without running
   * the handler; the same key on a different request is refused (422 `VV_IDEMPOTENCY_KEY_REUSED`), and a retry
   * while the first still runs gets 409 with `Retry-After`. `'required'` also refuses requests without the header
   * (400 `VV_VALIDATION`). Keys belong to the caller in the tenant and are kept 24 hours. A request that fails (the
   * handler throws or answers 5xx) keeps nothing. The response must not be a stream.
   */
  readonly idempotency?: 'optional' | 'required';
  handler(request: PluginRequest<Body, Query>): unknown | Promise<unknown>;
}

/**
 * A route anyone may call without a ValueVerse credential: a payment provider's webhook, an unsubscribe link, a
 * signed share link. The manifest must declare permission `http.public`, and the path must contain `:tenantId`:
 * the kernel resolves that tenant and answers 404 `VV_NOT_FOUND` when it does not exist or has not enabled the
 * plugin (the same answer for both, so tenants cannot be probed). Requests are rate-limited per client address.
 * The handler must authenticate the request itself (a signature, a signed token) before acting on it.
 */
export interface PublicRouteDefinition<Body = unknown, Query = Record<string, unknown>> extends RouteDefinitionBase {
  readonly access: 'public';
  handler(request: PublicPluginRequest<Body, Query>): unknown | Promise<unknown>;
}

/** One route of a plugin: signed-in callers only (the default), or `access: 'public'`. */
export type RouteDefinition<Body = unknown, Query = Record<string, unknown>> = AuthenticatedRouteDefinition<Body, Query> | PublicRouteDefinition<Body, Query>;

/** The plugin-scoped router: registers routes under the plugin's own prefixes. */
export interface HttpRouter {
  /** Registers a route; throws `VV_ROUTE_CONFLICT` at once if the path is outside the plugin's prefixes or taken. */
  route<Body = unknown, Query = Record<string, unknown>>(definition: RouteDefinition<Body, Query>): void;
}
