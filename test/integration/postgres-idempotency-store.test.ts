import type { Database } from '@valueverse/kernel';
import { openDatabase } from '../../backends/src/data/open-database';
import { describeIdempotencyStoreContract } from '@valueverse/kernel/testing';
import { PostgresIdempotencyStore } from '../../backends/src/idempotency/postgres-idempotency-store';
import { PostgresKernelStore } from '../../backends/src/tenancy/postgres-kernel-store';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { describeWithPostgres } from '../support/services';

// The contract on a PostgreSQL server, in a database of its own (other suites share `test`), dropped at the end.
describeWithPostgres('PostgresIdempotencyStore on a PostgreSQL server', () => {
  let scratch: ScratchDatabase;
  let db: Database;

  beforeAll(async () => {
    scratch = await createScratchDatabase('vv_idem');
    db = await openDatabase({ url: scratch.url });
    const kernelStore = new PostgresKernelStore(db);
    await kernelStore.init();
    for (const id of ['acme', 'globex']) await kernelStore.createTenant({ id, name: id });
  });

  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
  });

  describeIdempotencyStoreContract('PostgresIdempotencyStore on PostgreSQL', async () => {
    await db.execute('delete from kernel.idempotency_keys');
    return new PostgresIdempotencyStore(db);
  });
});
