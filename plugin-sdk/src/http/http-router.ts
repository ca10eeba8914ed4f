import type { Logger } from '../services/logger';

/** Roles, weakest first. A route's `minRole` admits that role and every stronger one. */
export const roles = ['viewer', 'member', 'tenant-admin', 'platform-admin'] as const;
export type Role = (typeof roles)[number];

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A JSON Schema (draft-07 or 2019-09 keywords understood by ajv). */
export type JsonSchema = Readonly<Record<string, unknown>>;

export interface TenantContext {
  readonly id: string;
  readonly name: string;
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
}

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

/** One route of a plugin. The kernel validates params, query and body against `schema` before the handler runs. */
export interface RouteDefinition<Body = unknown, Query = Record<string, unknown>> {
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
  readonly schema?: {
    readonly params?: JsonSchema;
    readonly query?: JsonSchema;
    readonly body?: JsonSchema;
    /** Response schemas by status, for the OpenAPI document. */
    readonly responses?: Readonly<Record<number, JsonSchema>>;
  };
  handler(request: PluginRequest<Body, Query>): unknown | Promise<unknown>;
}

/** The plugin-scoped router: registers routes under the plugin's own prefixes. */
export interface HttpRouter {
  /** Registers a route; throws `VV_ROUTE_CONFLICT` at once if the path is outside the plugin's prefixes or taken. */
  route<Body = unknown, Query = Record<string, unknown>>(definition: RouteDefinition<Body, Query>): void;
}
