import type { Database } from '@valueverse/kernel';
import { openDatabase } from '../../backends/src/data/open-database';
import { describeInvitationStoreContract } from '@valueverse/kernel/testing';
import { PostgresInvitationStore } from '../../backends/src/identity/postgres-invitation-store';
import { PostgresKernelStore } from '../../backends/src/tenancy/postgres-kernel-store';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { describeWithPostgres } from '../support/services';

// The contract on a PostgreSQL server (kernel_0006_invitations applied by the kernel store's init), in a database of
// its own, dropped at the end.
describeWithPostgres('PostgresInvitationStore on a PostgreSQL server', () => {
  let scratch: ScratchDatabase;
  let db: Database;

  beforeAll(async () => {
    scratch = await createScratchDatabase('vv_invite');
    db = await openDatabase({ url: scratch.url });
    const kernelStore = new PostgresKernelStore(db);
    await kernelStore.init();
    for (const id of ['acme', 'globex']) await kernelStore.createTenant({ id, name: id });
  });

  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
  });

  describeInvitationStoreContract('PostgresInvitationStore on PostgreSQL', async () => {
    await db.execute('delete from kernel.invitations');
    return new PostgresInvitationStore(db);
  });

  it("drops a tenant's invitations with the tenant", async () => {
    const store = new PostgresInvitationStore(db);
    await db.execute("insert into kernel.tenants (id, name) values ('doomed', 'doomed')");
    await store.savePending({
      id: 'inv-doomed',
      tenantId: 'doomed',
      email: 'x@example.test',
      role: 'member',
      tokenHash: 'h-doomed',
      invitedBy: 'u',
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    await db.execute("delete from kernel.tenants where id = 'doomed'");
    expect(await store.findByTokenHash('h-doomed')).toBeUndefined();
  });
});
