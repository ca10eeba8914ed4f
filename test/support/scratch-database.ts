import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../backends/src/data/open-database';
import { postgresUrl, TEST_POSTGRES_URL } from './services';

/** A database of a suite's own on the test PostgreSQL server (other suites share `test`). */
export interface ScratchDatabase {
  readonly name: string;
  /** `postgres://…/<name>` for `openDatabase` or a host's `DATABASE_URL`. */
  readonly url: string;
  /** Drops it, closing whatever is still connected (call after closing your own pools). */
  drop(): Promise<void>;
}

/** Creates an empty database named `<prefix>_<random hex>`. */
export async function createScratchDatabase(prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = await openDatabase({ url: TEST_POSTGRES_URL, poolMax: 1 });
  await admin.execute(`create database ${name}`);
  return {
    name,
    url: postgresUrl(name),
    drop: async () => {
      await admin.execute(`drop database if exists ${name} with (force)`);
      await admin.close();
    },
  };
}
