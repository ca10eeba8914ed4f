import { describeIdempotencyStoreContract } from '@valueverse/kernel/testing';
import type { Database } from '@valueverse/kernel';
import { openDatabase } from '../data/open-database';
import { PostgresKernelStore } from '../tenancy/postgres-kernel-store';
import { PostgresIdempotencyStore } from './postgres-idempotency-store';

// One PGlite boot for the file; the server run of the same contract is test/integration/postgres-idempotency-store.test.ts.
let db: Database;

beforeAll(async () => {
  db = await openDatabase({ inMemory: true });
  const kernelStore = new PostgresKernelStore(db);
  await kernelStore.init();
  for (const id of ['acme', 'globex']) await kernelStore.createTenant({ id, name: id });
}, 30_000);

afterAll(async () => {
  await db?.close();
});

describeIdempotencyStoreContract('PostgresIdempotencyStore on embedded PGlite', async () => {
  await db.execute('delete from kernel.idempotency_keys');
  return new PostgresIdempotencyStore(db);
});
