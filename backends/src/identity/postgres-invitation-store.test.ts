import { describeInvitationStoreContract } from '@valueverse/kernel/testing';
import { useEmbeddedKernelDatabase } from '../__fixtures__/embedded-kernel-database';
import { PostgresInvitationStore } from './postgres-invitation-store';

// The invitation store contract on embedded PGlite (kernel_0006_invitations applied by the kernel store's init); the
// server run of the same contract is test/integration/postgres-invitation-store.test.ts.
const db = useEmbeddedKernelDatabase();

describeInvitationStoreContract('PostgresInvitationStore on embedded PGlite', async () => {
  await db().execute('delete from kernel.invitations');
  return new PostgresInvitationStore(db());
});
