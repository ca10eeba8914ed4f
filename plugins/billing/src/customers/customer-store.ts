import { VvError, type PluginDatabase, type SqlTransaction } from '@valueverse/plugin-sdk';

/** A customer of the tenant: who usage is metered for and invoices go to. */
export interface Customer {
  readonly id: string;
  /** The tenant's own id for the customer; events and subscriptions may name the customer by it. */
  readonly externalId: string;
  readonly name: string;
  readonly email: string | null;
  readonly currency: string;
  /** Decimal fraction applied to invoice subtotals (`"0.2"` is 20 %). */
  readonly taxRate: string;
  /** IANA time zone: billing periods close at midnight there. */
  readonly timeZone: string;
  readonly stripeCustomerId: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export type CustomerInput = Pick<Customer, 'externalId' | 'name' | 'currency'> & Partial<Pick<Customer, 'email' | 'taxRate' | 'timeZone' | 'stripeCustomerId'>>;
export type CustomerChange = Partial<Omit<CustomerInput, 'externalId' | 'currency'>>;

const columns = `id::text as id, external_id, name, email, currency, tax_rate, time_zone, stripe_customer_id, created_at, updated_at`;

interface CustomerRow {
  id: string;
  external_id: string;
  name: string;
  email: string | null;
  currency: string;
  tax_rate: string;
  time_zone: string;
  stripe_customer_id: string | null;
  created_at: Date;
  updated_at: Date;
}

function fromRow(row: CustomerRow): Customer {
  return {
    id: row.id,
    externalId: row.external_id,
    name: row.name,
    email: row.email,
    currency: row.currency,
    taxRate: row.tax_rate,
    timeZone: row.time_zone,
    stripeCustomerId: row.stripe_customer_id,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Throws `VV_VALIDATION` for a time zone the runtime does not know (periods close at its midnight). */
export function checkTimeZone(timeZone: string, pointer: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw VvError.validation([{ pointer, message: `"${timeZone}" is not an IANA time zone`, in: 'body' }]);
  }
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The tenant's customers. Every statement names the tenant; row-level security holds it to the tenant as well. */
export class CustomerStore {
  constructor(private readonly db: PluginDatabase) {}

  async create(tenantId: string, input: CustomerInput): Promise<Customer> {
    if (input.timeZone) checkTimeZone(input.timeZone, '/timeZone');
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query<CustomerRow>(
        `insert into customers (id, tenant_id, external_id, name, email, currency, tax_rate, time_zone, stripe_customer_id)
         values (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8)
         on conflict (tenant_id, external_id) do nothing
         returning ${columns}`,
        [tenantId, input.externalId, input.name, input.email ?? null, input.currency, input.taxRate ?? '0', input.timeZone ?? 'UTC', input.stripeCustomerId ?? null],
      );
      if (!row) throw new VvError('VV_CONFLICT', { params: { reason: `A customer with external id "${input.externalId}" exists` } });
      return fromRow(row);
    });
  }

  async list(tenantId: string, options: { limit: number; after?: string }): Promise<Customer[]> {
    return this.db.transaction(tenantId, async (tx) => {
      const rows = await tx.query<CustomerRow>(`select ${columns} from customers where tenant_id = $1 and ($2::text is null or external_id > $2) order by external_id limit $3`, [
        tenantId,
        options.after ?? null,
        options.limit,
      ]);
      return rows.map(fromRow);
    });
  }

  /** By id or external id; undefined when the tenant has no such customer (another tenant's ids included). */
  async find(tenantId: string, idOrExternalId: string, tx?: SqlTransaction): Promise<Customer | undefined> {
    const run = async (t: SqlTransaction) => {
      // An id first (a uuid-shaped external id is still found by the second statement); each uses its own index.
      const [byId] = uuidPattern.test(idOrExternalId)
        ? await t.query<CustomerRow>(`select ${columns} from customers where tenant_id = $1 and id = $2::uuid`, [tenantId, idOrExternalId])
        : [];
      const [row] = byId ? [byId] : await t.query<CustomerRow>(`select ${columns} from customers where tenant_id = $1 and external_id = $2`, [tenantId, idOrExternalId]);
      return row && fromRow(row);
    };
    return tx ? run(tx) : this.db.transaction(tenantId, run);
  }

  /** Like `find`, but a missing customer is `VV_NOT_FOUND`. */
  async get(tenantId: string, idOrExternalId: string, tx?: SqlTransaction): Promise<Customer> {
    const customer = await this.find(tenantId, idOrExternalId, tx);
    if (!customer) throw new VvError('VV_NOT_FOUND', { detail: `Customer ${idOrExternalId} not found` });
    return customer;
  }

  async update(tenantId: string, idOrExternalId: string, change: CustomerChange): Promise<{ before: Customer; after: Customer }> {
    if (change.timeZone) checkTimeZone(change.timeZone, '/timeZone');
    return this.db.transaction(tenantId, async (tx) => {
      const before = await this.get(tenantId, idOrExternalId, tx);
      const [row] = await tx.query<CustomerRow>(
        `update customers set name = coalesce($3, name), email = case when $4::boolean then $5 else email end, tax_rate = coalesce($6, tax_rate),
           time_zone = coalesce($7, time_zone), stripe_customer_id = case when $8::boolean then $9 else stripe_customer_id end, updated_at = now()
         where tenant_id = $1 and id = $2::uuid returning ${columns}`,
        [
          tenantId,
          before.id,
          change.name ?? null,
          'email' in change,
          change.email ?? null,
          change.taxRate ?? null,
          change.timeZone ?? null,
          'stripeCustomerId' in change,
          change.stripeCustomerId ?? null,
        ],
      );
      return { before, after: fromRow(row!) };
    });
  }

  /** Deletes a customer with no usage, subscriptions or invoices; one with history is `VV_CONFLICT` (history is kept). */
  async delete(tenantId: string, idOrExternalId: string): Promise<Customer> {
    return this.db.transaction(tenantId, async (tx) => {
      const customer = await this.get(tenantId, idOrExternalId, tx);
      const [used] = await tx.query(
        `select 1 from usage_rollups where tenant_id = $1 and customer_id = $2::uuid
         union all select 1 from usage_rollup_deltas where tenant_id = $1 and customer_id = $2::uuid
         union all select 1 from subscriptions where tenant_id = $1 and customer_id = $2::uuid
         union all select 1 from invoices where tenant_id = $1 and customer_id = $2::uuid limit 1`,
        [tenantId, customer.id],
      );
      if (used)
        throw new VvError('VV_CONFLICT', { params: { reason: `Customer ${customer.externalId} has usage, subscriptions or invoices; customers with billing history are kept` } });
      await tx.query('delete from customers where tenant_id = $1 and id = $2::uuid', [tenantId, customer.id]);
      return customer;
    });
  }
}
