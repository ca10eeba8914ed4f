import { useEmbeddedKernelDatabase } from '../__fixtures__/embedded-kernel-database';
import { PostgresKernelStore } from '../tenancy/postgres-kernel-store';
import { PostgresIdentityStore } from './postgres-identity-store';

// TOTP recovery codes on embedded PGlite (kernel_0010_totp_recovery_codes applied by the kernel store's init).
const db = useEmbeddedKernelDatabase();

describe('PostgresIdentityStore recovery codes', () => {
  it('keeps hashes, spends each once (also when two sign-ins race), replaces them all, and goes with the factor', async () => {
    await new PostgresKernelStore(db()).createUser({ id: 'u1', email: 'u1@example.test', passwordHash: 'x', platformAdmin: false });
    const store = new PostgresIdentityStore(db());
    await store.saveTotp({ userId: 'u1', sealedSecret: 'sealed', enabled: true, lastStep: 0 });
    expect(await store.countRecoveryCodes('u1')).toBe(0);
    await store.setRecoveryCodes('u1', ['h1', 'h2', 'h3']);
    expect(await store.countRecoveryCodes('u1')).toBe(3);
    const raced = await Promise.all([store.useRecoveryCode('u1', 'h2'), store.useRecoveryCode('u1', 'h2')]);
    expect(raced.filter((left) => left === 2)).toHaveLength(1);
    expect(raced.filter((left) => left === undefined)).toHaveLength(1);
    expect(await store.useRecoveryCode('u1', 'nope')).toBeUndefined();
    // Saving the factor again (enabling it) keeps the codes.
    await store.saveTotp({ userId: 'u1', sealedSecret: 'sealed', enabled: true, lastStep: 5 });
    expect(await store.countRecoveryCodes('u1')).toBe(2);
    await store.setRecoveryCodes('u1', ['n1']);
    expect(await store.useRecoveryCode('u1', 'h1')).toBeUndefined();
    expect(await store.useRecoveryCode('u1', 'n1')).toBe(0);
    await store.setRecoveryCodes('u1', ['n2']);
    await store.deleteTotp('u1');
    expect(await store.countRecoveryCodes('u1')).toBe(0);
    expect(await store.useRecoveryCode('u1', 'n2')).toBeUndefined();
  });
});
