import type { ServerResponse } from 'node:http';
import type { Context, Next } from 'koa';
import { Router } from '@koa/router';
import { Gauge, type Registry } from 'prom-client';
import type { EventEnvelope } from '@valueverse/plugin-sdk';
import type { TokenService } from '../auth/token-service';
import { requireRole } from '../http/kernel-route';
import type { RequestState } from '../http/request-state';
import type { KernelLogger } from '../observability/kernel-logger';
import type { InProcessEventBus } from './in-process-event-bus';

export const EVENT_STREAM_PATH = '/api/v1/events/stream';

/** A client that lets this much pile up unread is cut off; its EventSource reconnects. */
const MAX_BUFFERED_BYTES = 1 << 20;
/** How a client hanging up shows on the socket: the normal end of an event stream, not an error. */
const hangUpCodes = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);
/** setTimeout's limit; tokens live minutes, this only guards the arithmetic. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface EventStreamRoutes {
  /**
   * Lets clients that cannot set headers (the browser's EventSource) pass the access token as `?access_token=` on
   * the stream, and only there. It runs before authentication, which then treats it as a bearer token.
   */
  acceptQueryToken(ctx: Context, next: Next): Promise<unknown>;
  /** `GET /api/v1/events/stream`, to mount behind authentication. */
  readonly router: Router<RequestState>;
  /** Ends every open stream: graceful shutdown must not wait for clients that never hang up. */
  closeAll(): void;
  /** Open streams, for tests and metrics. */
  readonly size: number;
}

interface Connection {
  readonly tenantId: string;
  readonly res: ServerResponse;
}

/**
 * The server-sent event stream of a tenant: every plugin event of the caller's tenant (never another tenant's,
 * from this instance or, through the bus's transport, any other) and the kernel's `plugin-set.changed`. Frames are
 * `id:` (the envelope id), `event:` (its name) and `data:` (the envelope as JSON); a comment every `heartbeatMs`
 * keeps proxies from closing an idle stream. A stream opened with an access token ends when the token expires, so
 * access ends with it; the client reconnects with a fresh token.
 */
export function eventStreamRoutes(deps: {
  events: InProcessEventBus;
  tokens: TokenService;
  logger: KernelLogger;
  /** Where to report `vv_event_streams_open`. */
  registry?: Registry;
  heartbeatMs?: number;
}): EventStreamRoutes {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const byTenant = new Map<string, Set<Connection>>();
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

  // One bus subscription for all streams, fanned out by tenant.
  deps.events.subscribe('*', (event) => {
    for (const connection of byTenant.get(event.tenantId) ?? []) write(connection, frame(event));
  }, 'kernel:event-stream', { kernelEvents: true });

  function write(connection: Connection, chunk: string): void {
    const { res } = connection;
    if (res.destroyed || res.writableEnded) return;
    res.write(chunk);
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      deps.logger.warn({ tenantId: connection.tenantId }, 'event stream client is not reading; closing its stream');
      res.destroy();
    }
  }

  const router = new Router<RequestState>({ prefix: '/api/v1' });
  router.get('/events/stream', async (ctx) => {
    requireRole(ctx, 'viewer');
    const tenantId = ctx.state.principal!.tenant.id;
    const expiresAt = await tokenExpiry(ctx, deps.tokens);
    const { res } = ctx;
    const connection: Connection = { tenantId, res };
    let set = byTenant.get(tenantId);
    if (!set) byTenant.set(tenantId, (set = new Set()));
    set.add(connection);
    open += 1;

    const heartbeat = setInterval(() => write(connection, ': heartbeat\n\n'), heartbeatMs);
    const expiry = expiresAt === undefined ? undefined : setTimeout(() => res.end(), Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS));
    // 'close' comes both when the client hangs up and after the server ended the response.
    res.once('close', () => {
      clearInterval(heartbeat);
      clearTimeout(expiry);
      set.delete(connection);
      if (set.size === 0 && byTenant.get(tenantId) === set) byTenant.delete(tenantId);
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
    write(connection, `retry: 3000\n: connected to ${tenantId}\n\n`);
  });

  return {
    acceptQueryToken: async (ctx, next) => {
      const token = ctx.query['access_token'];
      if (typeof token === 'string' && token !== '' && !ctx.get('authorization')) ctx.req.headers.authorization = `Bearer ${token}`;
      return next();
    },
    router,
    closeAll: () => {
      for (const set of byTenant.values()) for (const { res } of set) res.end();
    },
    get size() {
      return open;
    },
  };
}

/** When the bearer access token of this request expires (ms), or undefined for credentials that do not (API keys). */
async function tokenExpiry(ctx: Context & { state: RequestState }, tokens: TokenService): Promise<number | undefined> {
  if (ctx.state.principal?.user.kind !== 'user') return undefined;
  const bearer = /^Bearer (\S+)$/.exec(ctx.get('authorization'))?.[1];
  return bearer ? (await tokens.verify(bearer)).exp * 1000 : undefined;
}

/** One SSE frame. Field values must not contain line breaks; JSON.stringify escapes those in `data`. */
function frame(event: EventEnvelope): string {
  const line = (value: string) => value.replace(/[\r\n]/g, ' ');
  return `id: ${line(event.id)}\nevent: ${line(event.name)}\ndata: ${JSON.stringify(event)}\n\n`;
}
