import type { ServerResponse } from 'node:http';
import type { Context, Next } from 'koa';
import { Gauge, type Registry } from 'prom-client';
import { VvError, type EventEnvelope } from '@valueverse/plugin-sdk';
import type { AccessChange } from '../identity/access-changes';
import { hasRole } from '../identity/role-rank';
import type { TokenService } from '../identity/token-service';
import { KernelRouteList, type KernelRoute } from '../http/kernel-route';
import type { Principal, RequestState } from '../http/request-state';
import type { KernelLogger } from '../observability/kernel-logger';
import { EventReplayBuffer, type ReplayLimits } from './event-replay-buffer';
import type { InProcessEventBus } from './in-process-event-bus';

export const EVENT_STREAM_PATH = '/api/v1/events/stream';

/** A client that lets this much pile up unread is cut off; its EventSource reconnects. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** How a client hanging up shows on the socket: the normal end of an event stream, not an error. */
const hangUpCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
/** setTimeout's limit; tokens live minutes, this only guards the arithmetic. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Longer `Last-Event-ID`s are none of ours (ours are UUIDs): treated as unknown without a look-up. */
const MAX_EVENT_ID_LENGTH = 200;
/** The name of the frame that tells a resuming client its missed events are gone. */
export const STREAM_RESET_EVENT = 'stream.reset';
/** The last frame of a stream whose credential no longer stands (revoked, signed out, demoted, tenant suspended). */
export const STREAM_REVOKED_EVENT = 'stream.revoked';
/** Open streams per principal (user or API key) on an instance, by default. */
export const DEFAULT_MAX_STREAMS_PER_PRINCIPAL = 10;
/** The request headers a stream keeps to check its credential again (see `revoke`). */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'x-tenant-id'] as const;

export interface EventStreamRoutes {
  /**
   * Lets clients that cannot set headers (the browser's EventSource) pass the access token as `?access_token=` on
   * the stream, and only there. It runs before authentication, which then treats it as a bearer token.
   */
  acceptQueryToken(ctx: Context, next: Next): Promise<unknown>;
  /** `GET /api/v1/events/stream`, to mount behind authentication. */
  readonly routes: readonly KernelRoute[];
  /** Ends every open stream: graceful shutdown must not wait for clients that never hang up. */
  closeAll(): void;
  /**
   * Checks again the credential of every stream that `change` may concern, and ends those that no longer stand
   * with a final `stream.revoked` frame. Resolves once every check is done.
   */
  revoke(change: AccessChange): Promise<void>;
  /** Open streams, for tests and metrics. */
  readonly size: number;
}

interface Connection {
  readonly tenantId: string;
  /** `user:<id>` or `api-key:<id>`: whose streams are capped together. */
  readonly principalKey: string;
  readonly userId?: string;
  readonly keyId?: string;
  /** The sign-in session of the access token the stream was opened with. */
  readonly sessionId?: string;
  readonly credentials: Readonly<Record<string, string>>;
  readonly res: ServerResponse;
  /** Bytes of the replay sent on connect, allowed unread on top of MAX_BUFFERED_BYTES. */
  readonly slack: number;
}

/**
 * The server-sent event stream of a tenant: every plugin event of the caller's tenant (never another tenant's,
 * from this instance or, through the bus's transport, any other) and the kernel's `plugin-set.changed`. Frames are
 * `id:` (the envelope id), `event:` (its name) and `data:` (the envelope as JSON); a comment every `heartbeatMs`
 * keeps proxies from closing an idle stream. A stream opened with an access token ends when the token expires, so
 * access ends with it; the client reconnects with a fresh token.
 *
 * Every stream starts with `retry: 3000` (the client's reconnect delay) and a `: connected to <tenant>` comment.
 *
 * **Revocation.** A stream keeps the credential headers it was opened with; whenever an access change may concern
 * it (its API key revoked, its user demoted or removed, its sign-in session ended, its tenant suspended, or the
 * change feed reconnected), the kernel calls `revoke` and the credential is authenticated again. A stream whose
 * credential no longer stands gets a last frame, `event: stream.revoked` with `data: {"reason": "..."}`, and ends.
 * Each user or API key may hold `maxPerPrincipal` streams on an instance; one more answers 429 `VV_TOO_MANY_STREAMS`.
 *
 * **Resumption.** Each instance keeps the tenant's recent frames (by default, `DEFAULT_REPLAY_LIMITS`: the last
 * 1,000 events or 5 minutes, whichever is fewer, at most 1 MiB per tenant and 32 MiB in all, least recently active
 * tenants forgotten first), fed by the same bus subscription as the streams, so events from other instances are
 * kept too. The buffer is in memory: a restart empties it. A client that reconnects with the id of the last frame it got, as the `Last-Event-ID` header (what
 * EventSource sends by itself) or `?lastEventId=` (for clients that cannot set headers; the header wins, since
 * EventSource reconnects to its original URL with a newer header):
 * - whose id is known here is sent every later event of its tenant, in order and once, then the live ones: the
 *   stream joins the live feed and reads the buffer in one synchronous step, so nothing falls between the two;
 * - whose id is not known (older than the buffer, another tenant's, from before a restart, or never seen by this
 *   instance) is sent `event: stream.reset` with `data: {"reason": "..."}`, then the live events: it must reload
 *   its state, since events it never got may be gone.
 *
 * A stream opened without an id, and the `stream.reset` frame, carry an `id:` for the current position, so even a
 * client that has had no event yet resumes without a gap; that id is a real event's where the tenant has one.
 * Instances order events from different publishers as they arrive, so resuming on another instance can repeat or
 * skip an event that two instances published within the same moments; clients may de-duplicate by envelope id.
 */
export function eventStreamRoutes(deps: {
  events: InProcessEventBus;
  tokens: TokenService;
  logger: KernelLogger;
  /** Where to report `vv_event_streams_open`. */
  registry?: Registry;
  heartbeatMs?: number;
  /** Overrides of the replay buffer's limits. */
  replay?: Partial<ReplayLimits>;
  /** Authenticates a stream's credential headers again (the kernel's `authenticate`); without it streams are never revoked. */
  reauthenticate?: (headers: Readonly<Record<string, string>>) => Promise<Principal | undefined>;
  /** Open streams per user or API key (default 10); one more answers 429 `VV_TOO_MANY_STREAMS`. */
  maxPerPrincipal?: number;
}): EventStreamRoutes {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const maxPerPrincipal = deps.maxPerPrincipal ?? DEFAULT_MAX_STREAMS_PER_PRINCIPAL;
  const byTenant = new Map<string, Set<Connection>>();
  const byPrincipal = new Map<string, Set<Connection>>();
  const replay = new EventReplayBuffer(deps.replay);
  let open = 0;
  if (deps.registry) {
    new Gauge({
      name: 'vv_event_streams_open',
      help: 'Server-sent event streams open on this instance',
      registers: [deps.registry],
      collect() {
        this.set(open);
      },
    });
  }

  // One bus subscription for all streams, fanned out by tenant. It buffers and sends in the same synchronous step:
  // that is what makes a resume gapless (see the route).
  deps.events.subscribe(
    '*',
    (event) => {
      const id = fieldValue(event.id);
      const chunk = frame(id, event);
      replay.add(event.tenantId, id, chunk);
      for (const connection of byTenant.get(event.tenantId) ?? []) write(connection, chunk);
    },
    'kernel:event-stream',
    { kernelEvents: true, stream: true },
  );

  function write(connection: Connection, chunk: string): void {
    const { res } = connection;
    if (res.destroyed || res.writableEnded) return;
    res.write(chunk);
    if (res.writableLength > MAX_BUFFERED_BYTES + connection.slack) {
      deps.logger.warn({ tenantId: connection.tenantId }, 'event stream client is not reading; closing its stream');
      res.destroy();
    }
  }

  const routes = new KernelRouteList();
  routes.get(
    '/api/v1/events/stream',
    {
      access: 'viewer',
      summary:
        "Server-sent events of the caller's tenant (plugin events, plugin-set.changed); ?access_token= accepted; Last-Event-ID or ?lastEventId= resumes; ends with stream.revoked when the credential is revoked; 429 VV_TOO_MANY_STREAMS past 10 per user or API key",
      produces: 'text/event-stream',
    },
    async (ctx) => {
      const principal = ctx.state.principal!;
      const tenantId = principal.tenant.id;
      const token = await tokenClaims(ctx, deps.tokens);
      // From here to the end of the handler nothing awaits: the replay is read and the connection joins the live feed
      // between two bus deliveries, so each event reaches the client once, either replayed or live. (The cap is
      // checked here too, so two concurrent opens cannot both take the last place.)
      const isKey = principal.user.kind === 'api-key';
      const principalKey = `${isKey ? 'api-key' : 'user'}:${principal.user.id}`;
      if ((byPrincipal.get(principalKey)?.size ?? 0) >= maxPerPrincipal) throw new VvError('VV_TOO_MANY_STREAMS', { params: { limit: maxPerPrincipal } });
      const lastEventId = requestedLastEventId(ctx);
      const missed = lastEventId === undefined || lastEventId.length > MAX_EVENT_ID_LENGTH ? undefined : replay.after(tenantId, lastEventId);
      let start: string;
      if (lastEventId === undefined) start = `retry: 3000\nid: ${replay.position(tenantId)}\n: connected to ${tenantId}\n\n`;
      else if (missed === undefined) {
        deps.logger.debug({ tenantId }, 'event stream resumed from an unknown Last-Event-ID; sending stream.reset');
        const reason = 'the events since Last-Event-ID are no longer buffered here (too old, or from before a restart): reload state';
        start = `retry: 3000\n: connected to ${tenantId}\n\nid: ${replay.position(tenantId)}\nevent: ${STREAM_RESET_EVENT}\ndata: ${JSON.stringify({ reason })}\n\n`;
      } else start = `retry: 3000\n: connected to ${tenantId}\n\n${missed.join('')}`;
      const { res } = ctx;
      const credentials = Object.fromEntries(CREDENTIAL_HEADERS.map((name) => [name, ctx.get(name)]).filter(([, value]) => value !== ''));
      const connection: Connection = {
        tenantId,
        principalKey,
        userId: isKey ? undefined : principal.user.id,
        keyId: isKey ? principal.user.id : undefined,
        sessionId: token?.sid,
        credentials,
        res,
        slack: Buffer.byteLength(start),
      };
      const set = join(byTenant, tenantId, connection);
      const mine = join(byPrincipal, principalKey, connection);
      open += 1;

      const heartbeat = setInterval(() => write(connection, ': heartbeat\n\n'), heartbeatMs);
      const expiry = token === undefined ? undefined : setTimeout(() => res.end(), Math.min(Math.max(token.exp * 1000 - Date.now(), 0), MAX_TIMER_MS));
      // 'close' comes both when the client hangs up and after the server ended the response.
      res.once('close', () => {
        clearInterval(heartbeat);
        clearTimeout(expiry);
        leave(byTenant, tenantId, set, connection);
        leave(byPrincipal, principalKey, mine, connection);
        open -= 1;
      });

      // The response is written here, not by Koa: Koa pipes a stream body and reports a client hanging up (the normal
      // end of an event stream) as an error. Status 200 stays on ctx for the kernel's 404 check and the metrics.
      ctx.status = 200;
      ctx.respond = false;
      // Koa also reports the socket's error when the client resets the connection instead of closing it.
      const onerror = ctx.onerror.bind(ctx);
      ctx.onerror = (error) => {
        if (error && hangUpCodes.has((error as NodeJS.ErrnoException).code ?? '')) return;
        onerror(error);
      };
      ctx.req.socket.setNoDelay(true);
      ctx.req.socket.setKeepAlive(true);
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        // nginx buffers responses unless told not to.
        'X-Accel-Buffering': 'no',
      });
      // Sent at once, so the client has the headers (and knows it is subscribed) before the first event.
      write(connection, start);
    },
  );

  return {
    acceptQueryToken: async (ctx, next) => {
      const token = ctx.query['access_token'];
      if (typeof token === 'string' && token !== '' && !ctx.get('authorization')) ctx.req.headers.authorization = `Bearer ${token}`;
      return next();
    },
    routes: routes.routes,
    closeAll: () => {
      for (const set of byTenant.values()) for (const { res } of set) res.end();
    },
    revoke: async (change) => {
      const reauthenticate = deps.reauthenticate;
      if (!reauthenticate) return;
      const affected = [...byTenant.values()].flatMap((set) => [...set]).filter((c) => concerns(change, c));
      await Promise.all(
        affected.map(async (connection) => {
          let reason: string | undefined;
          try {
            const now = await reauthenticate(connection.credentials);
            if (!now || now.tenant.id !== connection.tenantId || !hasRole(now.user.role, 'viewer')) reason = 'the credential no longer gives access to this stream';
          } catch (error) {
            reason = (error as Error).message;
          }
          if (reason === undefined) return;
          deps.logger.info({ tenantId: connection.tenantId, principal: connection.principalKey, change: change.kind }, 'event stream revoked');
          const { res } = connection;
          if (res.destroyed || res.writableEnded) return;
          res.end(`event: ${STREAM_REVOKED_EVENT}\ndata: ${JSON.stringify({ reason })}\n\n`);
        }),
      );
    },
    get size() {
      return open;
    },
  };
}

/** The claims of this request's bearer access token (its expiry, its session), or undefined for API keys. */
async function tokenClaims(ctx: Context & { state: RequestState }, tokens: TokenService): Promise<{ exp: number; sid?: string } | undefined> {
  if (ctx.state.principal?.user.kind !== 'user') return undefined;
  const bearer = /^Bearer (\S+)$/.exec(ctx.get('authorization'))?.[1];
  return bearer ? tokens.verify(bearer) : undefined;
}

/** Whether a stream's credential may be affected by `change`. */
function concerns(change: AccessChange, c: Connection): boolean {
  switch (change.kind) {
    case 'all':
      return true;
    case 'tenant':
      return c.tenantId === change.id;
    case 'user':
      return c.userId === change.id;
    case 'session':
      return c.sessionId === change.id;
    case 'api-key':
      return c.keyId === change.id;
  }
}

function join<T>(index: Map<string, Set<T>>, key: string, item: T): Set<T> {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(item);
  return set;
}

function leave<T>(index: Map<string, Set<T>>, key: string, set: Set<T>, item: T): void {
  set.delete(item);
  if (set.size === 0 && index.get(key) === set) index.delete(key);
}

/** The `Last-Event-ID` header, else `?lastEventId=`; an empty value is none (EventSource sends none then). */
function requestedLastEventId(ctx: Context): string | undefined {
  const query = ctx.query['lastEventId'];
  const id = ctx.get('last-event-id') || (typeof query === 'string' ? query : '');
  return id === '' ? undefined : id;
}

/** SSE field values must not contain line breaks. */
const fieldValue = (value: string) => value.replace(/[\r\n]/g, ' ');

/** One SSE frame; JSON.stringify escapes line breaks in `data`. */
function frame(id: string, event: EventEnvelope): string {
  return `id: ${id}\nevent: ${fieldValue(event.name)}\ndata: ${JSON.stringify(event)}\n\n`;
}
