import { isVvError, type ErrorCode } from '@valueverse/plugin-sdk';
import type { KernelStore, TenantPluginRecord } from './kernel-store';

/**
 * The behaviour every `KernelStore` must have. Run it from each implementation's test file:
 *
 * @example
 * describeKernelStoreContract('MemoryKernelStore', async () => new MemoryKernelStore());
 *
 * `makeStore` runs before every test and must return an initialised, empty store; `cleanup` runs after every test
 * (e.g. to truncate tables; the store's `close()` is called before it).
 */
export function describeKernelStoreContract(name: string, makeStore: () => Promise<KernelStore>, cleanup?: (store: KernelStore) => Promise<void>): void {
  describe(`KernelStore contract: ${name}`, () => {
    let store: KernelStore;

    beforeEach(async () => {
      store = await makeStore();
    });

    afterEach(async () => {
      await store.close();
      await cleanup?.(store);
    });

    async function expectVvError(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isVvError(error) ? error.code : error).toBe(code);
    }

    const plugin = (pluginId: string, overrides: Partial<TenantPluginRecord> = {}): Omit<TenantPluginRecord, 'updatedAt'> => ({
      tenantId: 'acme',
      pluginId,
      enabled: true,
      version: null,
      config: {},
      permissions: [],
      ...overrides,
    });

    function expectIsoTimestamp(value: string): void {
      expect(new Date(value).toISOString()).toBe(value);
    }

    describe('init', () => {
      it('is idempotent', async () => {
        await store.init();
        await store.init();
        expect(await store.listTenants({ limit: 50 })).toEqual({ items: [], nextCursor: null });
      });
    });

    describe('tenants', () => {
      it('creates a tenant with defaults: active, empty settings, equal ISO timestamps', async () => {
        const created = await store.createTenant({ id: 'acme', name: 'Acme' });
        expect(created).toEqual({
          id: 'acme',
          name: 'Acme',
          status: 'active',
          settings: {},
          createdAt: expect.any(String),
          updatedAt: created.createdAt,
        });
        expectIsoTimestamp(created.createdAt);
        expect(await store.getTenant('acme')).toEqual(created);
      });

      it('keeps the given status and settings, nested values included', async () => {
        const settings = { quotas: { users: 5, storageMb: 100 }, tags: ['a', 'b'], flag: true, note: null };
        const created = await store.createTenant({ id: 'acme', name: 'Acme', status: 'suspended', settings });
        expect(created.status).toBe('suspended');
        expect(created.settings).toEqual(settings);
        expect(await store.getTenant('acme')).toEqual(created);
      });

      it('refuses a duplicate id with VV_CONFLICT and keeps the first tenant', async () => {
        await store.createTenant({ id: 'acme', name: 'Acme' });
        await expectVvError(store.createTenant({ id: 'acme', name: 'Other' }), 'VV_CONFLICT');
        expect((await store.getTenant('acme'))?.name).toBe('Acme');
      });

      it('refuses an unknown status with VV_VALIDATION', async () => {
        await expectVvError(store.createTenant({ id: 'acme', name: 'Acme', status: 'deleted' as 'active' }), 'VV_VALIDATION');
        expect(await store.getTenant('acme')).toBeUndefined();
      });

      it('answers undefined for an unknown tenant', async () => {
        expect(await store.getTenant('nobody')).toBeUndefined();
      });

      it('lists tenants sorted by id', async () => {
        for (const id of ['gamma', 'alpha', 'beta-2', 'beta']) await store.createTenant({ id, name: id.toUpperCase() });
        const page = await store.listTenants({ limit: 50 });
        expect(page.items.map((t) => t.id)).toEqual(['alpha', 'beta', 'beta-2', 'gamma']);
        expect(page.nextCursor).toBeNull();
        expect(page.items[0]).toEqual(await store.getTenant('alpha'));
      });

      it('pages the tenant list with a cursor, without gaps or repeats, while tenants come and go', async () => {
        for (const id of ['t-05', 't-01', 't-04', 't-02', 't-03']) await store.createTenant({ id, name: id });
        const first = await store.listTenants({ limit: 2 });
        expect(first.items.map((t) => t.id)).toEqual(['t-01', 't-02']);
        expect(first.nextCursor).toEqual(expect.any(String));
        // A tenant created before the cursor's position does not shift the next page.
        await store.createTenant({ id: 't-00', name: 't-00' });
        const second = await store.listTenants({ limit: 2, cursor: first.nextCursor! });
        expect(second.items.map((t) => t.id)).toEqual(['t-03', 't-04']);
        const third = await store.listTenants({ limit: 2, cursor: second.nextCursor! });
        expect(third).toEqual({ items: [expect.objectContaining({ id: 't-05' })], nextCursor: null });
        // Exactly a page left: no cursor to an empty page.
        expect((await store.listTenants({ limit: 3, cursor: first.nextCursor! })).nextCursor).toBeNull();
      });

      it('searches the tenant list by id or name, case-insensitively, as a substring, and pages the matches', async () => {
        await store.createTenant({ id: 'acme', name: 'Acme Corporation' });
        await store.createTenant({ id: 'acme-eu', name: 'ACME Europe' });
        await store.createTenant({ id: 'globex', name: 'Globex' });
        await store.createTenant({ id: 'initech', name: 'Initech (an Acme company)' });
        await store.createTenant({ id: 'percent', name: '100% Widgets_Co' });
        const ids = async (q: string, limit = 50) => (await store.listTenants({ q, limit })).items.map((t) => t.id);
        expect(await ids('acme')).toEqual(['acme', 'acme-eu', 'initech']);
        expect(await ids('  EUROPE ')).toEqual(['acme-eu']);
        expect(await ids('lobe')).toEqual(['globex']);
        expect(await ids('')).toEqual(['acme', 'acme-eu', 'globex', 'initech', 'percent']);
        // LIKE's wildcards are searched for as text.
        expect(await ids('%')).toEqual(['percent']);
        expect(await ids('s_c')).toEqual(['percent']);
        expect(await ids('_')).toEqual(['percent']);
        expect(await ids('nobody')).toEqual([]);
        const first = await store.listTenants({ q: 'ACME', limit: 2 });
        expect(first.items.map((t) => t.id)).toEqual(['acme', 'acme-eu']);
        expect((await store.listTenants({ q: 'ACME', limit: 2, cursor: first.nextCursor! })).items.map((t) => t.id)).toEqual(['initech']);
      });

      it('refuses a cursor the list did not make with VV_VALIDATION', async () => {
        await expectVvError(store.listTenants({ limit: 2, cursor: 'not-a-cursor' }), 'VV_VALIDATION');
        await expectVvError(store.listTenants({ limit: 2, cursor: Buffer.from('[1]').toString('base64url') }), 'VV_VALIDATION');
      });

      it('names the active tenants that have a plugin enabled, and with includeSuspended the suspended ones too', async () => {
        for (const id of ['zeta', 'acme', 'globex', 'off', 'paused']) await store.createTenant({ id, name: id });
        for (const tenantId of ['zeta', 'acme', 'paused']) await store.saveTenantPlugins(tenantId, [{ ...plugin('calculation'), tenantId }]);
        await store.saveTenantPlugins('off', [{ ...plugin('calculation', { enabled: false }), tenantId: 'off' }]);
        await store.saveTenantPlugins('globex', [{ ...plugin('other'), tenantId: 'globex' }]);
        await store.updateTenant('paused', { status: 'suspended' });
        expect(await store.listTenantsWithPlugin('calculation')).toEqual(['acme', 'zeta']);
        expect(await store.listTenantsWithPlugin('calculation', { includeSuspended: true })).toEqual(['acme', 'paused', 'zeta']);
        expect(await store.listTenantsWithPlugin('nothing')).toEqual([]);
      });

      it('updates name, status and settings, replacing settings whole', async () => {
        const created = await store.createTenant({ id: 'acme', name: 'Acme', settings: { a: 1, b: 2 } });
        await new Promise((resolve) => setTimeout(resolve, 5));
        const updated = await store.updateTenant('acme', { name: 'Acme Inc', status: 'suspended', settings: { c: 3 } });
        expect(updated).toEqual({
          ...created,
          name: 'Acme Inc',
          status: 'suspended',
          settings: { c: 3 },
          updatedAt: expect.any(String),
        });
        expectIsoTimestamp(updated!.updatedAt);
        expect(Date.parse(updated!.updatedAt)).toBeGreaterThan(Date.parse(created.createdAt));
        expect(await store.getTenant('acme')).toEqual(updated);
      });

      it('leaves fields out of the patch (or undefined in it) unchanged', async () => {
        await store.createTenant({ id: 'acme', name: 'Acme', settings: { a: 1 } });
        const updated = await store.updateTenant('acme', { status: 'suspended', name: undefined });
        expect(updated).toMatchObject({ name: 'Acme', status: 'suspended', settings: { a: 1 } });
      });

      it('answers undefined when updating an unknown tenant', async () => {
        expect(await store.updateTenant('nobody', { name: 'X' })).toBeUndefined();
        expect(await store.getTenant('nobody')).toBeUndefined();
      });

      it('refuses an unknown status in an update with VV_VALIDATION', async () => {
        await store.createTenant({ id: 'acme', name: 'Acme' });
        await expectVvError(store.updateTenant('acme', { status: 'gone' as 'active' }), 'VV_VALIDATION');
        expect((await store.getTenant('acme'))?.status).toBe('active');
      });

      it('deletes a tenant with its plugin set and memberships, and reports whether it existed', async () => {
        await store.createTenant({ id: 'acme', name: 'Acme' });
        await store.createTenant({ id: 'globex', name: 'Globex' });
        await store.createUser({ id: 'u1', email: 'u1@example.com', passwordHash: 'h', platformAdmin: false });
        await store.saveTenantPlugins('acme', [plugin('billing')]);
        await store.saveTenantPlugins('globex', [plugin('billing', { tenantId: 'globex' })]);
        await store.setMembership({ userId: 'u1', tenantId: 'acme', role: 'member' });
        await store.setMembership({ userId: 'u1', tenantId: 'globex', role: 'viewer' });

        expect(await store.deleteTenant('acme')).toBe(true);
        expect(await store.getTenant('acme')).toBeUndefined();
        expect(await store.listTenantPlugins('acme')).toEqual([]);
        expect(await store.listMemberships('u1')).toEqual([{ userId: 'u1', tenantId: 'globex', role: 'viewer' }]);
        expect(await store.listTenantPlugins('globex')).toHaveLength(1);
        expect(await store.getUser('u1')).toBeDefined();

        expect(await store.deleteTenant('acme')).toBe(false);
        expect(await store.deleteTenant('nobody')).toBe(false);
      });

      it('starts a re-created tenant with an empty plugin set', async () => {
        await store.createTenant({ id: 'acme', name: 'Acme' });
        await store.saveTenantPlugins('acme', [plugin('billing')]);
        await store.deleteTenant('acme');
        await store.createTenant({ id: 'acme', name: 'Acme again' });
        expect(await store.listTenantPlugins('acme')).toEqual([]);
      });
    });

    describe('tenant logos', () => {
      // A 1×1 PNG and the start of a JPEG: the store keeps bytes, the branding route checks what they are.
      const png = { mediaType: 'image/png', data: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==' } as const;
      const jpeg = { mediaType: 'image/jpeg', data: '/9j/4AAQSkZJRgABAQ==' } as const;

      it('keeps a logo per tenant apart from the tenant: never in its settings, the tenant list or the tenant read', async () => {
        await store.createTenant({ id: 'acme', name: 'Acme', settings: { branding: { primaryColor: '#123456' } } });
        await store.createTenant({ id: 'globex', name: 'Globex' });
        expect(await store.getTenantLogo('acme')).toBeUndefined();
        await store.setTenantLogo('acme', png);
        expect(await store.getTenantLogo('acme')).toEqual(png);
        expect(await store.getTenantLogo('globex')).toBeUndefined();
        expect(JSON.stringify(await store.listTenants({ limit: 50 }))).not.toContain(png.data);
        expect((await store.getTenant('acme'))!.settings).toEqual({ branding: { primaryColor: '#123456' } });
      });

      it('replaces a logo, removes it with null (twice is fine), and refuses an unknown tenant', async () => {
        await store.createTenant({ id: 'acme', name: 'Acme' });
        await store.setTenantLogo('acme', png);
        await store.setTenantLogo('acme', jpeg);
        expect(await store.getTenantLogo('acme')).toEqual(jpeg);
        await store.setTenantLogo('acme', null);
        await store.setTenantLogo('acme', null);
        expect(await store.getTenantLogo('acme')).toBeUndefined();
        await expectVvError(store.setTenantLogo('nobody', png), 'VV_TENANT_UNKNOWN');
        expect(await store.getTenantLogo('nobody')).toBeUndefined();
      });

      it('deletes the logo with its tenant: a re-created tenant has none', async () => {
        await store.createTenant({ id: 'acme', name: 'Acme' });
        await store.setTenantLogo('acme', png);
        await store.deleteTenant('acme');
        await store.createTenant({ id: 'acme', name: 'Acme again' });
        expect(await store.getTenantLogo('acme')).toBeUndefined();
      });
    });

    describe('tenant plugin sets', () => {
      beforeEach(async () => {
        await store.createTenant({ id: 'acme', name: 'Acme' });
      });

      it('answers an empty list for a tenant without plugins and for an unknown tenant', async () => {
        expect(await store.listTenantPlugins('acme')).toEqual([]);
        expect(await store.listTenantPlugins('nobody')).toEqual([]);
      });

      it('saves records and lists them sorted by plugin id, stamped with updatedAt', async () => {
        await store.saveTenantPlugins('acme', [
          plugin('value-committer', {
            version: '1.2.0',
            config: { currency: 'EUR', apiKey: 'v1:iv:tag:ct', nested: { a: [1, 2] } },
            permissions: ['db', 'events.publish:commitment.*'],
          }),
          plugin('billing', { enabled: false }),
          plugin('analytics'),
        ]);
        const saved = await store.listTenantPlugins('acme');
        expect(saved.map((p) => p.pluginId)).toEqual(['analytics', 'billing', 'value-committer']);
        expect(saved[1]).toEqual({ ...plugin('billing', { enabled: false }), updatedAt: expect.any(String) });
        expect(saved[2]).toEqual({
          tenantId: 'acme',
          pluginId: 'value-committer',
          enabled: true,
          version: '1.2.0',
          config: { currency: 'EUR', apiKey: 'v1:iv:tag:ct', nested: { a: [1, 2] } },
          permissions: ['db', 'events.publish:commitment.*'],
          updatedAt: expect.any(String),
        });
        for (const p of saved) expectIsoTimestamp(p.updatedAt);
        expect(saved[0]!.updatedAt).toBe(saved[2]!.updatedAt);
      });

      it('files records under the tenant it was called for, whatever their tenantId says', async () => {
        await store.createTenant({ id: 'globex', name: 'Globex' });
        await store.saveTenantPlugins('acme', [plugin('billing', { tenantId: 'globex' })]);
        expect((await store.listTenantPlugins('acme')).map((p) => p.tenantId)).toEqual(['acme']);
        expect(await store.listTenantPlugins('globex')).toEqual([]);
      });

      it('upserts: changes the records given and keeps the others', async () => {
        await store.saveTenantPlugins('acme', [plugin('analytics'), plugin('billing', { config: { plan: 'basic' } })]);
        const before = await store.listTenantPlugins('acme');
        await new Promise((resolve) => setTimeout(resolve, 5));
        await store.saveTenantPlugins('acme', [plugin('billing', { enabled: false, version: '2.0.0', config: { plan: 'pro' } })]);
        const after = await store.listTenantPlugins('acme');
        expect(after[0]).toEqual(before[0]);
        expect(after[1]).toMatchObject({ pluginId: 'billing', enabled: false, version: '2.0.0', config: { plan: 'pro' } });
        expect(Date.parse(after[1]!.updatedAt)).toBeGreaterThan(Date.parse(before[1]!.updatedAt));
      });

      it('takes the last record when a plugin id repeats in one call', async () => {
        await store.saveTenantPlugins('acme', [plugin('billing', { enabled: true }), plugin('billing', { enabled: false })]);
        expect((await store.listTenantPlugins('acme')).map((p) => [p.pluginId, p.enabled])).toEqual([['billing', false]]);
      });

      it('refuses an unknown tenant with VV_TENANT_UNKNOWN and writes nothing', async () => {
        await expectVvError(store.saveTenantPlugins('nobody', [plugin('billing', { tenantId: 'nobody' })]), 'VV_TENANT_UNKNOWN');
        await expectVvError(store.saveTenantPlugins('nobody', []), 'VV_TENANT_UNKNOWN');
        expect(await store.listTenantPlugins('nobody')).toEqual([]);
      });

      it('accepts an empty list as a no-op', async () => {
        await store.saveTenantPlugins('acme', []);
        expect(await store.listTenantPlugins('acme')).toEqual([]);
      });

      it('moves the plugin-set version forward on every save, per tenant, never reusing one', async () => {
        if (!store.getPluginSetVersion) return;
        await store.createTenant({ id: 'globex', name: 'Globex' });
        expect(await store.getPluginSetVersion('acme')).toBe(0);
        await store.saveTenantPlugins('acme', [plugin('billing')]);
        const v1 = await store.getPluginSetVersion('acme');
        expect(v1).toBeGreaterThan(0);
        await store.saveTenantPlugins('acme', [plugin('billing', { enabled: false })]);
        const v2 = await store.getPluginSetVersion('acme');
        expect(v2).toBeGreaterThan(v1);
        expect(await store.getPluginSetVersion('globex')).toBe(0);
        await expectVvError(store.saveTenantPlugins('nobody', [plugin('billing')]), 'VV_TENANT_UNKNOWN');
        expect(await store.getPluginSetVersion('acme')).toBe(v2);

        await store.deleteTenant('acme');
        expect(await store.getPluginSetVersion('acme')).toBe(0);
        await store.createTenant({ id: 'acme', name: 'Acme again' });
        await store.saveTenantPlugins('acme', [plugin('billing')]);
        expect(await store.getPluginSetVersion('acme')).toBeGreaterThan(v2);
      });
    });

    describe('users', () => {
      const alice = { id: 'u-alice', email: 'Alice@Example.com', passwordHash: 'scrypt$abc', platformAdmin: true };

      it('creates a user with an ISO createdAt and finds it by id', async () => {
        const created = await store.createUser(alice);
        expect(created).toEqual({ ...alice, createdAt: expect.any(String) });
        expectIsoTimestamp(created.createdAt);
        expect(await store.getUser('u-alice')).toEqual(created);
      });

      it('finds a user by email, ignoring case, and keeps the email as given', async () => {
        const created = await store.createUser(alice);
        expect(await store.findUserByEmail('alice@example.com')).toEqual(created);
        expect(await store.findUserByEmail('ALICE@EXAMPLE.COM')).toEqual(created);
        expect((await store.findUserByEmail('alice@example.com'))?.email).toBe('Alice@Example.com');
      });

      it('replaces a password hash, and says false for an unknown user', async () => {
        const created = await store.createUser(alice);
        expect(await store.setPasswordHash('u-alice', 'scrypt$new')).toBe(true);
        expect(await store.getUser('u-alice')).toEqual({ ...created, passwordHash: 'scrypt$new' });
        expect((await store.findUserByEmail('alice@example.com'))?.passwordHash).toBe('scrypt$new');
        expect(await store.setPasswordHash('nobody', 'scrypt$x')).toBe(false);
        expect(await store.getUser('nobody')).toBeUndefined();
      });

      it('keeps a profile per user (null fields until set), lists it with the members, and says false for an unknown user', async () => {
        await store.createUser(alice);
        expect(await store.getUserProfile('u-alice')).toEqual({ displayName: null, locale: null, timeZone: null });
        const profile = { displayName: 'Alice Ng', locale: 'pt-BR', timeZone: 'America/Sao_Paulo' };
        expect(await store.setUserProfile('u-alice', profile)).toBe(true);
        expect(await store.getUserProfile('u-alice')).toEqual(profile);
        await store.createTenant({ id: 'acme', name: 'Acme' });
        await store.setMembership({ userId: 'u-alice', tenantId: 'acme', role: 'member' });
        expect(await store.listTenantMembers('acme')).toContainEqual(expect.objectContaining({ userId: 'u-alice', ...profile }));
        // Cleared again; the account itself is untouched.
        expect(await store.setUserProfile('u-alice', { displayName: null, locale: null, timeZone: null })).toBe(true);
        expect(await store.getUserProfile('u-alice')).toEqual({ displayName: null, locale: null, timeZone: null });
        expect((await store.getUser('u-alice'))?.email).toBe(alice.email);
        expect(await store.setUserProfile('nobody', profile)).toBe(false);
        expect(await store.getUserProfile('nobody')).toBeUndefined();
      });

      it('answers undefined for an unknown id or email', async () => {
        await store.createUser(alice);
        expect(await store.getUser('nobody')).toBeUndefined();
        expect(await store.findUserByEmail('bob@example.com')).toBeUndefined();
      });

      it('refuses a duplicate email, in any case, with VV_CONFLICT', async () => {
        await store.createUser(alice);
        await expectVvError(store.createUser({ ...alice, id: 'u-other', email: 'ALICE@example.COM' }), 'VV_CONFLICT');
        expect(await store.getUser('u-other')).toBeUndefined();
      });

      it('refuses a duplicate id with VV_CONFLICT and keeps the first user', async () => {
        await store.createUser(alice);
        await expectVvError(store.createUser({ ...alice, email: 'other@example.com' }), 'VV_CONFLICT');
        expect((await store.getUser('u-alice'))?.email).toBe('Alice@Example.com');
      });

      it('keeps platformAdmin false as false', async () => {
        await store.createUser({ ...alice, platformAdmin: false });
        expect((await store.getUser('u-alice'))?.platformAdmin).toBe(false);
      });
    });

    describe('memberships', () => {
      beforeEach(async () => {
        await store.createTenant({ id: 'acme', name: 'Acme' });
        await store.createTenant({ id: 'globex', name: 'Globex' });
        await store.createTenant({ id: 'initech', name: 'Initech' });
        await store.createUser({ id: 'u1', email: 'u1@example.com', passwordHash: 'h', platformAdmin: false });
        await store.createUser({ id: 'u2', email: 'u2@example.com', passwordHash: 'h', platformAdmin: false });
      });

      it('answers an empty list for a user without memberships', async () => {
        expect(await store.listMemberships('u1')).toEqual([]);
        expect(await store.listMemberships('nobody')).toEqual([]);
      });

      it("lists only the user's memberships, sorted by tenant id", async () => {
        await store.setMembership({ userId: 'u1', tenantId: 'initech', role: 'viewer' });
        await store.setMembership({ userId: 'u1', tenantId: 'acme', role: 'tenant-admin' });
        await store.setMembership({ userId: 'u2', tenantId: 'globex', role: 'member' });
        expect(await store.listMemberships('u1')).toEqual([
          { userId: 'u1', tenantId: 'acme', role: 'tenant-admin' },
          { userId: 'u1', tenantId: 'initech', role: 'viewer' },
        ]);
        expect(await store.listMemberships('u2')).toEqual([{ userId: 'u2', tenantId: 'globex', role: 'member' }]);
      });

      it('changes the role when the membership exists', async () => {
        await store.setMembership({ userId: 'u1', tenantId: 'acme', role: 'viewer' });
        await store.setMembership({ userId: 'u1', tenantId: 'acme', role: 'platform-admin' });
        expect(await store.listMemberships('u1')).toEqual([{ userId: 'u1', tenantId: 'acme', role: 'platform-admin' }]);
      });

      it('refuses an unknown tenant, user or role', async () => {
        await expectVvError(store.setMembership({ userId: 'u1', tenantId: 'nobody', role: 'member' }), 'VV_TENANT_UNKNOWN');
        await expectVvError(store.setMembership({ userId: 'nobody', tenantId: 'acme', role: 'member' }), 'VV_NOT_FOUND');
        await expectVvError(store.setMembership({ userId: 'u1', tenantId: 'acme', role: 'owner' as 'member' }), 'VV_VALIDATION');
        expect(await store.listMemberships('u1')).toEqual([]);
        expect(await store.listMemberships('nobody')).toEqual([]);
      });

      it("lists a tenant's members with their emails, sorted by email, and removes one", async () => {
        await store.setMembership({ userId: 'u2', tenantId: 'acme', role: 'member' });
        await store.setMembership({ userId: 'u1', tenantId: 'acme', role: 'viewer' });
        await store.setMembership({ userId: 'u1', tenantId: 'globex', role: 'viewer' });
        const none = { displayName: null, locale: null, timeZone: null };
        expect(await store.listTenantMembers('acme')).toEqual([
          { userId: 'u1', tenantId: 'acme', role: 'viewer', email: 'u1@example.com', ...none },
          { userId: 'u2', tenantId: 'acme', role: 'member', email: 'u2@example.com', ...none },
        ]);
        expect(await store.removeMembership('u1', 'acme')).toBe(true);
        expect(await store.removeMembership('u1', 'acme')).toBe(false);
        expect((await store.listTenantMembers('acme')).map((m) => m.userId)).toEqual(['u2']);
        expect(await store.listMemberships('u1')).toEqual([{ userId: 'u1', tenantId: 'globex', role: 'viewer' }]);
        expect(await store.listTenantMembers('nobody')).toEqual([]);
      });
    });
  });
}
