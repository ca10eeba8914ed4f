import type { Context } from 'koa';
import type { RequestState } from '../http/request-state';
import type { KernelLogger } from '../observability/kernel-logger';
import type { AuditInput, AuditRecord, AuditStore } from './audit-store';

export type AuditEvent = Pick<AuditInput, 'action'> & Partial<Omit<AuditInput, 'action'>>;

/**
 * Writes audit entries, filling who (the request's principal), request id and client address from the request.
 * An audit write that fails fails the action's response (500) but never silently drops the entry from the logs.
 */
export class Auditor {
  constructor(
    readonly store: AuditStore,
    private readonly logger: KernelLogger,
  ) {}

  async record(event: AuditEvent, ctx?: Context & { state: RequestState }): Promise<AuditRecord> {
    const principal = ctx?.state.principal;
    const actor = event.actor !== undefined ? event.actor : principal ? (principal.user.kind === 'api-key' ? `apikey:${principal.user.id}` : principal.user.id) : null;
    const entry: AuditInput = {
      action: event.action,
      actor,
      tenantId: event.tenantId ?? principal?.tenant.id ?? null,
      target: event.target ?? null,
      before: event.before ?? null,
      after: event.after ?? null,
      requestId: event.requestId ?? ctx?.state.requestId ?? null,
      ip: event.ip ?? ctx?.ip ?? null,
    };
    try {
      return await this.store.append(entry);
    } catch (error) {
      this.logger.error({ err: error, audit: entry }, `audit entry "${entry.action}" could not be stored`);
      throw error;
    }
  }
}
