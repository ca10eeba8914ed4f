import { randomUUID } from 'node:crypto';
import { VvError, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';
import type { CustomerStore } from '../customers/customer-store';
import { money, toMinorUnits } from '../pricing/decimal-money';

/** A commitment's guarantee to a customer: a missed milestone credits `credit` on the customer's next invoice. */
export interface Guarantee {
  readonly id: string;
  readonly customerId: string;
  readonly commitmentId: string;
  /** The milestone it covers; null: every milestone of the commitment. */
  readonly milestoneId: string | null;
  /** Decimal string, major units of the customer's currency. */
  readonly credit: string;
  readonly createdAt: string;
}

/** A credit owed for a missed milestone, waiting for (or applied by) an invoice. */
export interface GuaranteeCredit {
  readonly id: string;
  readonly guaranteeId: string;
  readonly commitmentId: string;
  readonly milestoneId: string;
  readonly milestoneTitle: string;
  readonly amountCents: number;
  /** API path of the realization report that shows the miss. */
  readonly evidence: string;
  readonly missedAt: string;
  readonly invoiceId: string | null;
}

/** What value-executor's `milestone.missed` event carries (the fields read here). */
export interface MilestoneMissed {
  readonly commitmentId: string;
  readonly milestoneId: string;
  readonly title?: string;
  readonly asOf?: string;
}

interface CreditRow {
  id: string;
  guarantee_id: string;
  commitment_id: string;
  milestone_id: string;
  milestone_title: string;
  amount_cents: string;
  evidence: string;
  missed_at: string | Date;
  invoice_id: string | null;
}

const creditColumns =
  'id::text as id, guarantee_id::text as guarantee_id, commitment_id, milestone_id, milestone_title, amount_cents::text as amount_cents, evidence, missed_at, invoice_id::text as invoice_id';

function toCredit(row: CreditRow): GuaranteeCredit {
  return {
    id: row.id,
    guaranteeId: row.guarantee_id,
    commitmentId: row.commitment_id,
    milestoneId: row.milestone_id,
    milestoneTitle: row.milestone_title,
    amountCents: Number(row.amount_cents),
    evidence: row.evidence,
    missedAt: new Date(row.missed_at).toISOString(),
    invoiceId: row.invoice_id,
  };
}

/** Guarantees and the credits missed milestones earn, per tenant. */
export class GuaranteeStore {
  constructor(
    private readonly db: PluginDatabase,
    private readonly customers: CustomerStore,
  ) {}

  async create(tenantId: string, input: { customerId: string; commitmentId: string; milestoneId?: string; credit: string }): Promise<Guarantee> {
    return this.db.transaction(tenantId, async (tx) => {
      const customer = await this.customers.get(tenantId, input.customerId, tx);
      const [row] = await tx.query<{ id: string; created_at: string | Date }>(
        `insert into guarantees (id, tenant_id, customer_id, commitment_id, milestone_id, credit) values ($2::uuid, $1, $3::uuid, $4, $5, $6) returning id::text as id, created_at`,
        [tenantId, randomUUID(), customer.id, input.commitmentId, input.milestoneId ?? null, input.credit],
      );
      return {
        id: row!.id,
        customerId: customer.externalId,
        commitmentId: input.commitmentId,
        milestoneId: input.milestoneId ?? null,
        credit: input.credit,
        createdAt: new Date(row!.created_at).toISOString(),
      };
    });
  }

  async list(tenantId: string, customerId?: string): Promise<{ guarantees: Guarantee[]; credits: GuaranteeCredit[] }> {
    return this.db.transaction(tenantId, async (tx) => {
      const customer = customerId === undefined ? undefined : await this.customers.get(tenantId, customerId, tx);
      const rows = await tx.query<{ id: string; customer: string; commitment_id: string; milestone_id: string | null; credit: string; created_at: string | Date }>(
        `select g.id::text as id, c.external_id as customer, g.commitment_id, g.milestone_id, g.credit, g.created_at
           from guarantees g join customers c on c.tenant_id = g.tenant_id and c.id = g.customer_id
          where g.tenant_id = $1 and ($2::uuid is null or g.customer_id = $2::uuid) order by g.created_at, g.id`,
        [tenantId, customer?.id ?? null],
      );
      const credits = await tx.query<CreditRow>(
        `select ${creditColumns} from guarantee_credits where tenant_id = $1 and ($2::uuid is null or customer_id = $2::uuid) order by missed_at, id`,
        [tenantId, customer?.id ?? null],
      );
      return {
        guarantees: rows.map((r) => ({
          id: r.id,
          customerId: r.customer,
          commitmentId: r.commitment_id,
          milestoneId: r.milestone_id,
          credit: r.credit,
          createdAt: new Date(r.created_at).toISOString(),
        })),
        credits: credits.map(toCredit),
      };
    });
  }

  /**
   * A missed milestone: one credit per guarantee that covers it, once however often the event is delivered
   * (`unique (tenant, guarantee, milestone)`). Returns the credits made now.
   */
  async milestoneMissed(tenantId: string, missed: MilestoneMissed): Promise<GuaranteeCredit[]> {
    if (typeof missed.commitmentId !== 'string' || typeof missed.milestoneId !== 'string') return [];
    const asOf = missed.asOf ?? new Date().toISOString();
    const evidence = `/api/v1/realization/commitments/${encodeURIComponent(missed.commitmentId)}?asOf=${encodeURIComponent(asOf)}`;
    return this.db.transaction(tenantId, async (tx) => {
      const guarantees = await tx.query<{ id: string; customer_id: string; credit: string; currency: string }>(
        `select g.id::text as id, g.customer_id::text as customer_id, g.credit, c.currency
           from guarantees g join customers c on c.tenant_id = g.tenant_id and c.id = g.customer_id
          where g.tenant_id = $1 and g.commitment_id = $2 and (g.milestone_id is null or g.milestone_id = $3)`,
        [tenantId, missed.commitmentId, missed.milestoneId],
      );
      const made: GuaranteeCredit[] = [];
      for (const g of guarantees) {
        const [row] = await tx.query<CreditRow>(
          `insert into guarantee_credits (id, tenant_id, guarantee_id, customer_id, commitment_id, milestone_id, milestone_title, amount_cents, evidence, missed_at)
           values ($2::uuid, $1, $3::uuid, $4::uuid, $5, $6, $7, $8, $9, $10::timestamptz)
           on conflict (tenant_id, guarantee_id, milestone_id) do nothing returning ${creditColumns}`,
          [
            tenantId,
            randomUUID(),
            g.id,
            g.customer_id,
            missed.commitmentId,
            missed.milestoneId,
            missed.title ?? missed.milestoneId,
            toMinorUnits(money(g.credit), g.currency),
            evidence,
            asOf,
          ],
        );
        if (row) made.push(toCredit(row));
      }
      return made;
    });
  }

  /** Credits owed to a customer and not yet on a finalized invoice, oldest first. */
  async pending(tx: SqlTransaction, tenantId: string, customerUuid: string): Promise<GuaranteeCredit[]> {
    const rows = await tx.query<CreditRow>(
      `select ${creditColumns} from guarantee_credits where tenant_id = $1 and customer_id = $2::uuid and invoice_id is null order by missed_at, id`,
      [tenantId, customerUuid],
    );
    return rows.map(toCredit);
  }

  /** Marks the credits an invoice carries as applied by it (in the finalizing transaction). */
  async apply(tx: SqlTransaction, tenantId: string, invoiceId: string, creditIds: readonly string[]): Promise<void> {
    if (creditIds.length === 0) return;
    const applied = await tx.query(`update guarantee_credits set invoice_id = $2::uuid where tenant_id = $1 and id = any($3::uuid[]) and invoice_id is null returning id`, [
      tenantId,
      invoiceId,
      creditIds,
    ]);
    if (applied.length !== creditIds.length) throw new VvError('VV_CONFLICT', { params: { reason: 'a guarantee credit was applied by another invoice meanwhile; retry' } });
  }
}
