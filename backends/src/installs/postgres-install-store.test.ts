import { describeInstallStoreContract } from '@valueverse/kernel/testing';
import { useEmbeddedKernelDatabase } from '../__fixtures__/embedded-kernel-database';
import { PostgresInstallStore } from './postgres-install-store';

// The install store contract on embedded PGlite (kernel_0008_installs applied by the kernel store's init); the server
// run of the same contract is test/integration/postgres-install-store.test.ts.
const db = useEmbeddedKernelDatabase();

describeInstallStoreContract('PostgresInstallStore on embedded PGlite', async () => {
  for (const table of ['installs', 'install_packages', 'install_instances', 'trusted_keys']) await db().execute(`delete from kernel.${table}`);
  return new PostgresInstallStore(db());
});
