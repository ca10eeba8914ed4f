import type { Database } from '@valueverse/kernel';
import { describeInstallStoreContract } from '@valueverse/kernel/testing';
import { openDatabase } from '../../backends/src/data/open-database';
import { PostgresInstallStore } from '../../backends/src/installs/postgres-install-store';
import { PostgresKernelStore } from '../../backends/src/tenancy/postgres-kernel-store';
import { createScratchDatabase, type ScratchDatabase } from '../support/scratch-database';
import { describeWithPostgres } from '../support/services';

// The contract on a PostgreSQL server (kernel_0008_installs applied by the kernel store's init), in a database of its
// own, dropped at the end.
describeWithPostgres('PostgresInstallStore on a PostgreSQL server', () => {
  let scratch: ScratchDatabase;
  let db: Database;

  beforeAll(async () => {
    scratch = await createScratchDatabase('vv_installs');
    db = await openDatabase({ url: scratch.url });
    await new PostgresKernelStore(db).init();
  });

  afterAll(async () => {
    await db?.close();
    await scratch?.drop();
  });

  describeInstallStoreContract('PostgresInstallStore on PostgreSQL', async () => {
    for (const table of ['installs', 'install_packages', 'install_instances', 'trusted_keys']) await db.execute(`delete from kernel.${table}`);
    return new PostgresInstallStore(db);
  });
});
