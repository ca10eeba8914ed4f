import type { AsyncLocalStorage } from 'node:async_hooks';
import {
  VvError,
  type AuditEntry,
  type AuditLog,
  type EventBus,
  type EventEnvelope,
  type HttpRouter,
  type JobContext,
  type JobQueue,
  type Logger,
  type TenantBrandingService,
  type TenantPlugins,
  type OutboundHttp,
  type OutboundRequestInit,
  type PluginConfigReader,
  type PluginDatabase,
  type PluginRequest,
  type RouteDefinition,
} from '@valueverse/plugin-sdk';
import type { SandboxBudgets } from './sandbox-budgets';

/** The tenant a call into the sandbox is for; the services it calls back may touch that tenant only. */
export interface SandboxScope {
  readonly tenantId: string;
}

export interface FacadeContext {
  readonly pluginId: string;
  readonly budgets: SandboxBudgets;
  readonly scope: AsyncLocalStorage<SandboxScope>;
  /** True while a restarted sandbox runs its setup again: registrations are already in place and are not repeated. */
  replaying(): boolean;
}

/**
 * Row-level security keys on the session setting `app.tenant_id`, which SQL can change (`set_config`, `SET`). A
 * sandboxed plugin's statement may not name it or change settings, and the setting is checked after every statement.
 */
const TENANT_SETTING_TAMPERING = /set_config|app\.tenant_id|u&|^\s*(set|reset)\b|\bset\s+(local|session)\b|;\s*(set|reset)\b/i;

async function guardedQuery(
  ctx: FacadeContext,
  tx: { query(sql: string, params?: readonly unknown[]): Promise<unknown[]> },
  tenantId: string,
  sql: string,
  params: readonly unknown[],
) {
  if (TENANT_SETTING_TAMPERING.test(sql)) {
    throw new VvError('VV_FORBIDDEN', { params: { reason: `sandboxed plugin "${ctx.pluginId}": statements may not change session settings (app.tenant_id)` } });
  }
  const rows = await tx.query(sql, params);
  const [check] = (await tx.query("select current_setting('app.tenant_id', true) as tenant")) as { tenant: string | null }[];
  if (check?.tenant !== tenantId) {
    throw new VvError('VV_FORBIDDEN', { params: { reason: `sandboxed plugin "${ctx.pluginId}": a statement changed the transaction's tenant; it was rolled back` } });
  }
  return rows;
}

/** Headers a sandboxed plugin never sees: they carry the caller's credentials. */
const WITHHELD_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);

function forbidden(ctx: FacadeContext, tenantId: unknown): VvError {
  const current = ctx.scope.getStore()?.tenantId;
  return new VvError('VV_FORBIDDEN', {
    params: {
      reason: `sandboxed plugin "${ctx.pluginId}" may only use tenant ${current === undefined ? '(none outside a request, event or job)' : `"${current}"`} here, not "${String(tenantId)}"`,
    },
  });
}

function checkTenant(ctx: FacadeContext, tenantId: unknown): void {
  const current = ctx.scope.getStore()?.tenantId;
  if (current === undefined || current !== tenantId) throw forbidden(ctx, tenantId);
}

function loggerFacade(log: Logger): Record<string, unknown> {
  return {
    debug: (obj: object | string, msg?: string) => log.debug(obj, msg),
    info: (obj: object | string, msg?: string) => log.info(obj, msg),
    warn: (obj: object | string, msg?: string) => log.warn(obj, msg),
    error: (obj: object | string, msg?: string) => log.error(obj, msg),
    child: (bindings: Record<string, unknown>) => loggerFacade(log.child(bindings)),
  };
}

function plainRequest(req: PluginRequest): Record<string, unknown> {
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !WITHHELD_HEADERS.has(name.toLowerCase())));
  return {
    method: req.method,
    path: req.path,
    params: req.params,
    query: req.query,
    body: req.body,
    headers,
    tenant: req.tenant,
    user: req.user,
    config: req.config,
    requestId: req.requestId,
    signal: req.signal,
    log: loggerFacade(req.log),
  };
}

/**
 * The kernel side of one core service as a sandboxed plugin sees it: only the listed methods cross, and each checks
 * what an in-process plugin is trusted with: db, config, events, jobs and audit only for the tenant of the call being
 * served; db statements under a statement timeout; outbound answers read into plain data. Any other service (another
 * plugin's, by a ref the manifest declared) crosses as it is.
 */
export function sandboxFacade(refId: string, service: unknown, ctx: FacadeContext): unknown {
  if (service === undefined || service === null) return service;
  switch (refId) {
    case 'core.logger':
      return loggerFacade(service as Logger);
    case 'core.http': {
      const http = service as HttpRouter;
      return {
        route: (definition: RouteDefinition) => {
          if (ctx.replaying()) return;
          const handler = definition.handler as (req: unknown) => unknown;
          http.route({ ...definition, handler: (req: PluginRequest) => ctx.scope.run({ tenantId: req.tenant.id }, () => handler(plainRequest(req))) });
        },
      };
    }
    case 'core.db': {
      const db = service as PluginDatabase;
      const oneStatement = (tenantId: string, sql: string, params?: readonly unknown[]) => {
        checkTenant(ctx, tenantId);
        return db.transaction(tenantId, async (tx) => {
          await tx.query(`set local statement_timeout = ${Math.max(1, Math.floor(ctx.budgets.statementTimeoutMs))}`);
          return guardedQuery(ctx, tx, tenantId, String(sql), Array.isArray(params) ? params : []);
        });
      };
      return {
        schema: db.schema,
        transaction: (tenantId: string, work: (tx: unknown) => Promise<unknown>) => {
          checkTenant(ctx, tenantId);
          return db.transaction(tenantId, async (tx) => {
            await tx.query(`set local statement_timeout = ${Math.max(1, Math.floor(ctx.budgets.statementTimeoutMs))}`);
            return work({ query: (sql: string, params?: readonly unknown[]) => guardedQuery(ctx, tx, tenantId, String(sql), Array.isArray(params) ? params : []) });
          });
        },
        // In a sandbox one statement is a transaction like any other: the statement timeout and the guard apply.
        read: (tenantId: string, sql: string, params?: readonly unknown[]) => oneStatement(tenantId, sql, params),
        statement: (tenantId: string, sql: string, params?: readonly unknown[]) => oneStatement(tenantId, sql, params),
        em: () => {
          throw new VvError('VV_FORBIDDEN', { params: { reason: `sandboxed plugin "${ctx.pluginId}": db.em is not available in a sandbox; use db.transaction` } });
        },
      };
    }
    case 'core.events': {
      const events = service as EventBus;
      return {
        publish: (name: string, tenantId: string, payload: unknown) => {
          checkTenant(ctx, tenantId);
          return events.publish(name, tenantId, payload);
        },
        subscribe: (pattern: string, handler: (event: EventEnvelope) => unknown) => {
          if (ctx.replaying()) return () => undefined;
          return events.subscribe(pattern, (event) => ctx.scope.run({ tenantId: event.tenantId }, async () => void (await handler({ ...event }))));
        },
      };
    }
    case 'core.jobs': {
      const jobs = service as JobQueue;
      return {
        define: (name: string, handler: (job: JobContext<unknown>) => Promise<void>, options?: unknown) => {
          if (ctx.replaying()) return;
          jobs.define(name, (job) => ctx.scope.run({ tenantId: job.tenantId }, () => handler({ ...job })), options as Parameters<JobQueue['define']>[2]);
        },
        enqueue: (name: string, tenantId: string, data: unknown, options?: { delayMs?: number; jobId?: string }) => {
          checkTenant(ctx, tenantId);
          return jobs.enqueue(name, tenantId, data, options);
        },
        schedule: (name: string, schedule: Parameters<JobQueue['schedule']>[1]) => {
          if (!ctx.replaying()) jobs.schedule(name, schedule);
        },
      };
    }
    case 'core.config': {
      const config = service as PluginConfigReader;
      return {
        forTenant: (tenantId: string) => {
          checkTenant(ctx, tenantId);
          return config.forTenant(tenantId);
        },
      };
    }
    case 'core.audit': {
      const audit = service as AuditLog;
      return {
        record: (entry: AuditEntry) => {
          checkTenant(ctx, entry?.tenantId ?? ctx.scope.getStore()?.tenantId);
          return audit.record(entry);
        },
      };
    }
    case 'core.context':
      return { current: () => (service as { current(): unknown }).current() };
    case 'core.plugins': {
      const plugins = service as TenantPlugins;
      return {
        isEnabled: (tenantId: string, pluginId: string) => {
          checkTenant(ctx, tenantId);
          return plugins.isEnabled(tenantId, pluginId);
        },
      };
    }
    case 'core.branding': {
      const branding = service as TenantBrandingService;
      return {
        logo: (tenantId: string) => {
          checkTenant(ctx, tenantId);
          return branding.logo(tenantId);
        },
      };
    }
    case 'core.metadata':
      return { ...(service as object) };
    case 'core.outbound': {
      const outbound = service as OutboundHttp;
      return {
        // The answer is read here (a Response cannot cross) and rebuilt in the sandbox.
        fetch: async (input: string, init?: OutboundRequestInit) => {
          const res = await outbound.fetch(String(input), init);
          return { status: res.status, statusText: res.statusText, headers: [...res.headers], body: new Uint8Array(await res.arrayBuffer()) };
        },
      };
    }
    default:
      return service;
  }
}
