import type { Database } from '@valueverse/kernel';
import { openDatabase } from '../data/open-database';
import { PostgresKernelStore } from '../tenancy/postgres-kernel-store';

/**
 * One in-memory PGlite database per test file with the kernel schema migrated and the tenants created, opened in
 * `beforeAll` and closed in `afterAll`. Returns a getter: the database exists only once `beforeAll` has run.
 */
export function useEmbeddedKernelDatabase(tenants: readonly string[] = ['acme', 'globex']): () => Database {
  let db: Database | undefined;
  beforeAll(async () => {
    db = await openDatabase({ inMemory: true });
    const kernelStore = new PostgresKernelStore(db);
    await kernelStore.init();
    for (const id of tenants) await kernelStore.createTenant({ id, name: id });
  }, 30_000);
  afterAll(async () => {
    await db?.close();
  });
  return () => db!;
}
