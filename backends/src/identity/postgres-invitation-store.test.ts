import type { Database } from '@valueverse/kernel';
import { describeInvitationStoreContract } from '@valueverse/kernel/testing';
import { openDatabase } from '../data/open-database';
import { PostgresKernelStore } from '../tenancy/postgres-kernel-store';
import { PostgresInvitationStore } from './postgres-invitation-store';

// The invitation store contract on embedded PGlite (kernel_0006_invitations applied by the kernel store's init); the
// server run of the same contract is test/integration/postgres-invitation-store.test.ts.
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

describeInvitationStoreContract('PostgresInvitationStore on embedded PGlite', async () => {
  await db.execute('delete from kernel.invitations');
  return new PostgresInvitationStore(db);
});
