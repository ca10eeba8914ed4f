/**
 * The bare baselines of `npm run bench -- host`, each run as its own process and printing `{"port"}` once listening:
 *  - `npv`: Koa + @koa/router + @koa/bodyparser answering `POST /api/v1/calculate/npv` with the same NPV, convention
 *    and formula as the calculation plugin (the arithmetic written out here, checked against the host's answer by
 *    the bench before it measures);
 *  - `list <databaseUrl> <tenantId>`: Koa + `pg` answering `GET /api/v1/value-models?limit=20` with the transaction
 *    the kernel runs for a plugin's tenant-bound read (kernel/src/data/plugin-database.ts `em()`: begin, `set local
 *    role`, `set_config` of the tenant and the search path, then value-architect's indexed list select, commit) on a
 *    pool as large as the host's (10).
 * No authentication, no rate limit, no logging: what a hand-written server would do, the floor the host is held to.
 */
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { Router } from '@koa/router';
import { bodyParser } from '@koa/bodyparser';

interface PgPoolClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  release(error?: Error): void;
}
interface PgPool {
  connect(): Promise<PgPoolClient>;
}
// pg ships no types of its own; this is the slice the baseline uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Pool } = require('pg') as { Pool: new (options: { connectionString: string; max: number }) => PgPool };

const formulas = {
  t0: 'NPV = Σ_{t=0..n−1} CF_t / (1+rate)^t (first cash flow at t = 0, undiscounted)',
  excel: 'NPV = Σ_{t=0..n−1} CF_t / (1+rate)^(t+1) (Excel NPV: first cash flow at the end of period 1)',
} as const;

function npvRoutes(router: Router): void {
  router.post('/api/v1/calculate/npv', (ctx) => {
    const body = ctx.request.body as { rate?: unknown; cashFlows?: unknown; convention?: unknown } | undefined;
    const rate = body?.rate;
    const flows = body?.cashFlows;
    const convention = body?.convention;
    if (
      typeof rate !== 'number' ||
      rate <= -1 ||
      !Array.isArray(flows) ||
      flows.length === 0 ||
      !flows.every((f) => typeof f === 'number') ||
      (convention !== 't0' && convention !== 'excel')
    ) {
      ctx.status = 400;
      ctx.body = { error: 'rate > -1, cashFlows (numbers) and convention (t0 or excel) are required' };
      return;
    }
    const shift = convention === 'excel' ? 1 : 0;
    let sum = 0;
    for (let t = 0; t < flows.length; t++) sum += (flows[t] as number) / Math.pow(1 + rate, t + shift);
    ctx.body = { result: sum, convention, formula: formulas[convention] };
  });
}

// The select MikroORM generates for value-architect's list (ValueModelStore.list with no filter and no cursor), as
// PostgreSQL logs it for the host: the tenant filter, the soft-delete condition, keyset order, limit + 1.
const LIST_SQL =
  'select "v0".* from "value_architect"."value_models" as "v0" where "v0"."tenant_id" = $1 and "v0"."deleted_at" is null order by "v0"."created_at" desc, "v0"."id" desc limit $2';

function listRoutes(router: Router, databaseUrl: string, tenantId: string): void {
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  router.get('/api/v1/value-models', async (ctx) => {
    const limit = Math.min(100, Math.max(1, Number(ctx.query['limit'] ?? 20) || 20));
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query('set local role "vv_plugin_value_architect"');
      await client.query("select set_config('app.tenant_id', $1, true), set_config('search_path', $2, true)", [tenantId, '"value_architect", public']);
      const { rows } = await client.query(LIST_SQL, [tenantId, limit + 1]);
      await client.query('commit');
      client.release();
      ctx.body = { items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'more' : null };
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
  });
}

async function main(kind: string, args: readonly string[]): Promise<void> {
  const app = new Koa();
  const router = new Router();
  if (kind === 'npv') {
    app.use(bodyParser());
    npvRoutes(router);
  } else if (kind === 'list') {
    listRoutes(router, args[0]!, args[1]!);
  } else {
    throw new Error(`unknown baseline "${kind}" (npv or list)`);
  }
  app.use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
}

main(process.argv[2] ?? '', process.argv.slice(3)).catch((error: unknown) => {
  process.stderr.write(`baseline server: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
