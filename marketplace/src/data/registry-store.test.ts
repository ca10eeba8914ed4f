import { openDatabase } from '@valueverse/backend-defaults';
import type { Database } from '@valueverse/kernel';
import { latestOf, RegistryStore } from './registry-store';

describe('latestOf', () => {
  const v = (version: string, yanked = false) => ({ version, yanked });

  it('picks the highest release by semver, not by text', () => {
    expect(latestOf([v('1.9.0'), v('1.10.0'), v('1.2.0')])).toBe('1.10.0');
  });

  it('prefers releases over pre-releases, and skips yanked versions', () => {
    expect(latestOf([v('2.0.0-beta.1'), v('1.4.0')])).toBe('1.4.0');
    expect(latestOf([v('2.0.0-beta.1'), v('2.0.0-beta.2')])).toBe('2.0.0-beta.2');
    expect(latestOf([v('1.5.0', true), v('1.4.0')])).toBe('1.4.0');
    expect(latestOf([v('1.5.0', true)])).toBeNull();
    expect(latestOf([])).toBeNull();
  });
});

describe('marketplace migrations', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ inMemory: true });
  }, 30_000);
  afterAll(() => db?.close());

  const tables = async () =>
    (await db.execute<{ name: string }>(`select table_name as name from information_schema.tables where table_schema = 'marketplace' order by 1`)).map((t) => t.name);

  it('creates schema marketplace, reverts every table, and applies again', async () => {
    const store = new RegistryStore(db);
    expect(await store.init()).toEqual(['marketplace_0001_init']);
    expect(await store.init()).toEqual([]);
    expect(await tables()).toEqual(['mikro_orm_migrations', 'package_blobs', 'package_versions', 'packages', 'publisher_keys', 'publishers']);
    // The kernel's schema is not touched.
    expect((await db.execute(`select 1 from information_schema.tables where table_schema = 'kernel'`)).length).toBe(0);
    expect(await store.revertAll()).toEqual(['marketplace_0001_init']);
    expect(await tables()).toEqual(['mikro_orm_migrations']);
    expect(await store.init()).toEqual(['marketplace_0001_init']);
    expect(await tables()).toHaveLength(6);
  });
});
