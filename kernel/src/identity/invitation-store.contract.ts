import type { InvitationStore, NewInvitation } from './invitation-store';

const DAY = 86_400_000;

/** What every `InvitationStore` does; run on the memory store (unit) and on PostgreSQL (test/integration). */
export function describeInvitationStoreContract(name: string, fresh: () => Promise<InvitationStore>): void {
  describe(name, () => {
    let store: InvitationStore;
    let n = 0;
    const invitation = (overrides: Partial<NewInvitation> = {}): NewInvitation => {
      n += 1;
      return {
        id: `inv-${n}`,
        tenantId: 'acme',
        email: 'Bob@Example.test',
        role: 'member',
        tokenHash: `hash-${n}`,
        invitedBy: 'u-ada',
        expiresAt: new Date(Date.now() + DAY).toISOString(),
        ...overrides,
      };
    };

    beforeEach(async () => {
      store = await fresh();
    });

    it('keeps one pending invitation per tenant and address: inviting again replaces token, role and expiry', async () => {
      const first = await store.savePending(invitation());
      expect(first).toMatchObject({ tenantId: 'acme', email: 'bob@example.test', role: 'member', tokenHash: first.tokenHash, acceptedAt: null, revokedAt: null });
      const again = await store.savePending(invitation({ email: 'BOB@example.test', role: 'viewer' }));
      expect(again.id).toBe(first.id);
      expect(again.role).toBe('viewer');
      expect(await store.findByTokenHash(first.tokenHash)).toBeUndefined();
      expect((await store.findByTokenHash(again.tokenHash))?.id).toBe(first.id);
      await store.savePending(invitation({ tenantId: 'globex' }));
      expect((await store.listPending('acme')).map((i) => i.tokenHash)).toEqual([again.tokenHash]);
      expect(await store.listPending('globex')).toHaveLength(1);
    });

    it('accepts a pending, unexpired invitation once; a new one may follow', async () => {
      const pending = await store.savePending(invitation());
      expect(await store.markAccepted(pending.id, 'u-bob')).toBe(true);
      expect(await store.markAccepted(pending.id, 'u-bob')).toBe(false);
      expect(await store.findByTokenHash(pending.tokenHash)).toMatchObject({ acceptedBy: 'u-bob', acceptedAt: expect.any(String) });
      expect(await store.listPending('acme')).toEqual([]);
      const next = await store.savePending(invitation());
      expect(next.id).not.toBe(pending.id);
      const expired = await store.savePending(invitation({ tenantId: 'globex', expiresAt: new Date(Date.now() - 1000).toISOString() }));
      expect(await store.markAccepted(expired.id, 'u-bob')).toBe(false);
    });

    it('revokes a pending invitation of its own tenant only, once', async () => {
      const pending = await store.savePending(invitation());
      expect(await store.revoke('globex', pending.id)).toBe(false);
      expect(await store.revoke('acme', pending.id)).toBe(true);
      expect(await store.revoke('acme', pending.id)).toBe(false);
      expect(await store.markAccepted(pending.id, 'u-bob')).toBe(false);
      expect(await store.listPending('acme')).toEqual([]);
    });
  });
}
