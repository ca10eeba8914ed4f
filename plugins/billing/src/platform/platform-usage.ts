import type { Logger, PluginConfigReader, PluginDatabase } from '@valueverse/plugin-sdk';
import type { UsageIngestor, UsageEventInput } from '../usage/usage-ingestor';

/** Payload of the kernel's `platform.usage` event (kernel metering/platform-meter.ts). */
export interface PlatformUsage {
  readonly instanceId: string;
  readonly window: number;
  readonly from: string;
  readonly to: string;
  readonly tenants: readonly { readonly tenantId: string; readonly apiRequests: number; readonly aiTokens: number; readonly monteCarloTrials: number }[];
}

/** The billable metrics the operator defines (sum over a property, `quantity` by default) for each kind of usage. */
export const platformMetrics = {
  apiRequests: 'platform_api_requests',
  aiTokens: 'platform_ai_tokens',
  monteCarloTrials: 'platform_mc_trials',
} as const;

/**
 * Meters the platform's own usage in the operator's billing tenant: each `platform.usage` window becomes usage
 * events of the customers whose external id is a tenant id, for the `platform_*` metrics the operator defined
 * (others are skipped: the operator chooses what to bill). Transaction ids name the instance, window, tenant and
 * kind, so a window delivered again (on every instance, or after a retry) is counted once.
 */
export async function meterPlatformUsage(
  deps: { readonly db: PluginDatabase; readonly ingestor: UsageIngestor; readonly config: PluginConfigReader; readonly logger: Logger },
  tenantId: string,
  usage: PlatformUsage,
): Promise<{ counted: number; duplicates: number }> {
  if (!Array.isArray(usage?.tenants) || usage.tenants.length === 0) return { counted: 0, duplicates: 0 };
  const codes = Object.values(platformMetrics);
  const { metrics, customers } = await deps.db.transaction(tenantId, async (tx) => ({
    metrics: new Map(
      (await tx.query<{ code: string; field: string | null }>('select code, field from metrics where tenant_id = $1 and code = any($2::text[])', [tenantId, codes])).map((m) => [
        m.code,
        m.field,
      ]),
    ),
    customers: new Set(
      (
        await tx.query<{ external_id: string }>('select external_id from customers where tenant_id = $1 and external_id = any($2::text[])', [
          tenantId,
          usage.tenants.map((t) => t.tenantId),
        ])
      ).map((c) => c.external_id),
    ),
  }));
  const events: UsageEventInput[] = [];
  for (const entry of usage.tenants) {
    if (!customers.has(entry.tenantId)) continue;
    for (const [kind, code] of Object.entries(platformMetrics) as [keyof typeof platformMetrics, string][]) {
      const quantity = entry[kind];
      if (!metrics.has(code) || !(quantity > 0)) continue;
      events.push({
        transactionId: `platform:${usage.instanceId}:${usage.window}:${entry.tenantId}:${kind}`,
        customerId: entry.tenantId,
        metric: code,
        timestamp: usage.to,
        properties: { [metrics.get(code) ?? 'quantity']: String(quantity) },
      });
    }
  }
  const settings = await deps.config.forTenant(tenantId);
  const graceHours = Number(settings.usageGraceHours ?? 72);
  let counted = 0;
  let duplicates = 0;
  for (let i = 0; i < events.length; i += 1000) {
    const result = await deps.ingestor.ingest(tenantId, events.slice(i, i + 1000), { graceHours }, (index) => `/events/${i + index}`);
    counted += result.counted;
    duplicates += result.duplicates.length;
  }
  if (events.length > 0) deps.logger.debug({ tenantId, window: usage.window, instance: usage.instanceId, counted, duplicates }, 'metered platform usage');
  return { counted, duplicates };
}
