import type { Database } from '@valueverse/kernel';
import { openDatabase } from '../data/open-database';
import { describeTenantLogosMigration } from './tenant-logos-migration.contract';

let db: Database | undefined;
afterAll(async () => {
  await db?.close();
});

describeTenantLogosMigration('embedded PGlite', async () => (db = await openDatabase({ inMemory: true })));
