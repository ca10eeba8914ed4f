import { VvError, type PluginDatabase } from '@valueverse/plugin-sdk';
import { defaultWorkflows, type ChannelName, type RecipientRule, type Workflow } from './workflow';

interface WorkflowRow {
  id: string;
  name: string;
  event_pattern: string;
  recipients: RecipientRule[];
  channels: ChannelName[];
  template: string;
  category: string;
  critical: boolean;
  digest_minutes: number;
  enabled: boolean;
}

const toWorkflow = (r: WorkflowRow): Workflow => ({
  id: r.id,
  name: r.name,
  eventPattern: r.event_pattern,
  recipients: r.recipients,
  channels: r.channels,
  template: r.template,
  category: r.category,
  critical: r.critical,
  digestMinutes: r.digest_minutes,
  enabled: r.enabled,
});

/** Matches `billing.*` against `billing.invoice.paid`; `*` alone matches everything. */
export function matchesEvent(pattern: string, name: string): boolean {
  if (pattern === '*' || pattern === name) return true;
  return pattern.endsWith('*') && name.startsWith(pattern.slice(0, -1));
}

/** The tenant's workflows, seeded with the first-party ones the first time a tenant is seen. */
export class WorkflowStore {
  private readonly seeded = new Set<string>();
  /** Workflows per tenant, cached briefly: every event of the tenant reads them. */
  private readonly cache = new Map<string, { at: number; workflows: Workflow[] }>();

  constructor(private readonly db: PluginDatabase) {}

  async list(tenantId: string): Promise<Workflow[]> {
    await this.seed(tenantId);
    const rows = await this.db.transaction(tenantId, (tx) => tx.query<WorkflowRow>('select * from workflows where tenant_id = $1 order by id', [tenantId]));
    return rows.map(toWorkflow);
  }

  /** The enabled workflows whose pattern matches `eventName` (cached for a few seconds). */
  async matching(tenantId: string, eventName: string): Promise<Workflow[]> {
    let entry = this.cache.get(tenantId);
    if (!entry || Date.now() - entry.at > 5000) {
      entry = { at: Date.now(), workflows: await this.list(tenantId) };
      this.cache.set(tenantId, entry);
    }
    return entry.workflows.filter((w) => w.enabled && matchesEvent(w.eventPattern, eventName));
  }

  async get(tenantId: string, id: string): Promise<Workflow> {
    await this.seed(tenantId);
    const [row] = await this.db.transaction(tenantId, (tx) => tx.query<WorkflowRow>('select * from workflows where tenant_id = $1 and id = $2', [tenantId, id]));
    if (!row) throw new VvError('VV_NOT_FOUND', { params: { reason: `No workflow "${id}"` } });
    return toWorkflow(row);
  }

  /** `create` inserts only (an existing id is left as it is, `created: false`); `replace` updates only. */
  async put(tenantId: string, workflow: Workflow, mode: 'create' | 'replace'): Promise<{ workflow: Workflow; created: boolean }> {
    await this.seed(tenantId);
    const conflict =
      mode === 'create'
        ? 'do nothing'
        : `do update set name = excluded.name, event_pattern = excluded.event_pattern, recipients = excluded.recipients,
           channels = excluded.channels, template = excluded.template, category = excluded.category, critical = excluded.critical,
           digest_minutes = excluded.digest_minutes, enabled = excluded.enabled, updated_at = now()`;
    const [row] = await this.db.transaction(tenantId, (tx) =>
      tx.query<WorkflowRow & { inserted: boolean }>(
        `insert into workflows (tenant_id, id, name, event_pattern, recipients, channels, template, category, critical, digest_minutes, enabled)
         values ($1, $2, $3, $4, $5::jsonb, $6::text[], $7, $8, $9, $10, $11)
         on conflict (tenant_id, id) ${conflict}
         returning *, (xmax = 0) as inserted`,
        [
          tenantId,
          workflow.id,
          workflow.name,
          workflow.eventPattern,
          JSON.stringify(workflow.recipients),
          workflow.channels,
          workflow.template,
          workflow.category,
          workflow.critical,
          workflow.digestMinutes,
          workflow.enabled,
        ],
      ),
    );
    this.cache.delete(tenantId);
    if (!row) return { workflow: await this.get(tenantId, workflow.id), created: false };
    return { workflow: toWorkflow(row), created: row.inserted };
  }

  async delete(tenantId: string, id: string): Promise<Workflow> {
    await this.seed(tenantId);
    const [row] = await this.db.transaction(tenantId, (tx) => tx.query<WorkflowRow>('delete from workflows where tenant_id = $1 and id = $2 returning *', [tenantId, id]));
    if (!row) throw new VvError('VV_NOT_FOUND', { params: { reason: `No workflow "${id}"` } });
    this.cache.delete(tenantId);
    return toWorkflow(row);
  }

  /** Inserts the first-party workflows once per tenant (a deleted default stays deleted). */
  private async seed(tenantId: string): Promise<void> {
    if (this.seeded.has(tenantId)) return;
    await this.db.transaction(tenantId, async (tx) => {
      const [fresh] = await tx.query('insert into workflow_seeds (tenant_id) values ($1) on conflict do nothing returning tenant_id', [tenantId]);
      if (!fresh) return;
      for (const w of defaultWorkflows) {
        await tx.query(
          `insert into workflows (tenant_id, id, name, event_pattern, recipients, channels, template, category, critical, digest_minutes, enabled)
           values ($1, $2, $3, $4, $5::jsonb, $6::text[], $7, $8, $9, $10, $11) on conflict do nothing`,
          [tenantId, w.id, w.name, w.eventPattern, JSON.stringify(w.recipients), w.channels, w.template, w.category, w.critical, w.digestMinutes, w.enabled],
        );
      }
    });
    this.seeded.add(tenantId);
  }
}
