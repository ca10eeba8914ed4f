import { describeIdempotencyStoreContract } from '@valueverse/kernel/testing';
import { useEmbeddedKernelDatabase } from '../__fixtures__/embedded-kernel-database';
import { PostgresIdempotencyStore } from './postgres-idempotency-store';

// One PGlite boot for the file; the server run of the same contract is test/integration/postgres-idempotency-store.test.ts.
const db = useEmbeddedKernelDatabase();

describeIdempotencyStoreContract('PostgresIdempotencyStore on embedded PGlite', async () => {
  await db().execute('delete from kernel.idempotency_keys');
  return new PostgresIdempotencyStore(db());
});
