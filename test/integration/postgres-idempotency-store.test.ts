import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../kernel/src/data/database';
import { describeIdempotencyStoreContract } from '../../kernel/src/idempotency/idempotency-store.contract';
import { PostgresIdempotencyStore } from '../../kernel/src/idempotency/postgres-idempotency-store';
import { PostgresKernelStore } from '../../kernel/src/tenancy/postgres-kernel-store';
import { describeWithPostgres, postgresUrl, TEST_POSTGRES_URL } from '../support/services';

// The contract on a PostgreSQL server, in a database of its own (other suites share `test`), dropped at the end.
describeWithPostgres('PostgresIdempotencyStore on a PostgreSQL server', () => {
  const name = `vv_idem_${randomBytes(6).toString('hex')}`;
  let admin: Database;
  let db: Database;

  beforeAll(async () => {
    admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
    await admin.execute(`create database ${name}`);
    db = await openDatabase({ url: postgresUrl(name) });
    const kernelStore = new PostgresKernelStore(db);
    await kernelStore.init();
    for (const id of ['acme', 'globex']) await kernelStore.createTenant({ id, name: id });
  });

  afterAll(async () => {
    await db?.close();
    await admin?.execute(`drop database if exists ${name} with (force)`);
    await admin?.close();
  });

  describeIdempotencyStoreContract('PostgresIdempotencyStore on PostgreSQL', async () => {
    await db.execute('delete from kernel.idempotency_keys');
    return new PostgresIdempotencyStore(db);
  });
});
