import type { EventEnvelope } from '@valueverse/plugin-sdk';
import { bootAuthKernel, PASSWORD, type AuthTestKernel } from './__fixtures__/auth-test-kernel';
import { DEFAULT_ATTEMPT_POLICY, PLATFORM_EVENT_TENANT } from './identity/attempt-throttle';
import { base32Decode, hotp } from './identity/totp';

// Issue #10 finding 3: 50 wrong passwords, 50 wrong TOTP codes and 50 wrong /me/totp/disable codes were all
// answered 401, and the right one then worked. Finding 8: X-Forwarded-For was believed from anyone.
describe('sign-in protection', () => {
  let k: AuthTestKernel;
  let clock = Date.parse('2026-12-06T10:00:00Z');
  const lockouts: EventEnvelope[] = [];

  beforeAll(async () => {
    k = await bootAuthKernel({ signInProtection: { now: () => clock } });
    k.kernel.events.subscribe('auth.lockout', (event) => void lockouts.push(event), 'test', { kernelEvents: true });
  });
  afterAll(() => k.close());

  /** Each test acts from its own client address (a trusted proxy is not configured: the socket's peer counts). */
  const wrongLogin = (email: string) => k.call('POST', '/api/v1/auth/login', { body: { email, password: 'wrong password!' } });
  const auditRows = async (action: string, target?: string) => {
    const res = await k.call('GET', `/api/v1/admin/audit?action=${action}&limit=200`, { token: await k.admin() });
    return (res.body.items as { target: string; after: Record<string, unknown>; ip: string }[]).filter((e) => target === undefined || e.target === target);
  };

  it('locks an account after repeated wrong passwords: 429 with Retry-After, the right password included, until the lockout ends', async () => {
    await k.addUser('u-ana', { acme: 'member' });
    const statuses: number[] = [];
    for (let i = 0; i < 50; i += 1) statuses.push((await wrongLogin('u-ana@example.test')).status);
    // The free failures answer 401; from the lockout on, nothing is checked and everything answers 429.
    expect(statuses.slice(0, DEFAULT_ATTEMPT_POLICY.account.free)).toEqual(Array(DEFAULT_ATTEMPT_POLICY.account.free).fill(401));
    expect(statuses.slice(DEFAULT_ATTEMPT_POLICY.account.free)).toEqual(Array(50 - DEFAULT_ATTEMPT_POLICY.account.free).fill(429));

    const locked = await k.login('u-ana@example.test');
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('VV_TOO_MANY_ATTEMPTS');
    const retryAfter = Number(locked.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);

    clock += retryAfter * 1000;
    expect((await k.login('u-ana@example.test')).status).toBe(200);
    // A success clears the account's count: the next mistake is a plain 401 again.
    expect((await wrongLogin('u-ana@example.test')).status).toBe(401);
  });

  it('backs off exponentially: each failure after a lockout locks twice as long', async () => {
    await k.addUser('u-ben', { acme: 'member' });
    for (let i = 0; i < DEFAULT_ATTEMPT_POLICY.account.free; i += 1) expect((await wrongLogin('u-ben@example.test')).status).toBe(401);
    const waits: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await wrongLogin('u-ben@example.test');
      expect(res.status).toBe(429);
      const wait = Number(res.headers.get('retry-after'));
      waits.push(wait);
      clock += wait * 1000;
    }
    expect(waits).toEqual([1, 2, 4, 8]);
  });

  it('publishes a notification-ready auth.lockout event and audits failures in aggregate', async () => {
    await k.addUser('u-cy', { acme: 'member' });
    for (let i = 0; i < 40; i += 1) await wrongLogin('u-cy@example.test');
    const notice = lockouts.find((e) => (e.payload as { userId?: string }).userId === 'u-cy');
    expect(notice).toMatchObject({ name: 'auth.lockout', tenantId: PLATFORM_EVENT_TENANT, source: 'kernel' });
    expect(notice!.payload).toMatchObject({ scope: 'account', email: 'u-cy@example.test', factor: 'password', retryAfterSeconds: 1 });
    // 40 attempts, 6 of them checked: rows at the 1st, 2nd and 4th failure of the account, one per lockout.
    const failures = await auditRows('auth.sign-in-failed', 'email:u-cy@example.test');
    expect(failures.length).toBeLessThanOrEqual(4);
    expect(failures[0]!.after).toMatchObject({ factor: 'password', accountFailures: expect.any(Number) });
    expect((await auditRows('auth.lockout', 'email:u-cy@example.test')).length).toBe(1);
  });

  it('locks a client address that tries one password on many accounts, unknown accounts included', async () => {
    clock += 2 * 60 * 60_000; // earlier tests' counts on this address are forgotten
    const statuses: number[] = [];
    for (let i = 0; i < DEFAULT_ATTEMPT_POLICY.address.free + 5; i += 1) statuses.push((await wrongLogin(`nobody-${i}@example.test`)).status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(DEFAULT_ATTEMPT_POLICY.address.free);
    expect(statuses[DEFAULT_ATTEMPT_POLICY.address.free]).toBe(429);
    // Rows for 30+ anonymous failures: a handful (1, 2, 4, 8, 16 failures from the address), not one per attempt.
    const rows = (await auditRows('auth.sign-in-failed')).filter((e) => e.target.startsWith('email:nobody-'));
    expect(rows.length).toBeLessThanOrEqual(6);
    // Spoofing X-Forwarded-For does not make a new client: no proxy is trusted.
    const spoofed = await k.call('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.test', password: 'x' }, headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(spoofed.status).toBe(429);
    clock += 2 * 60 * 60_000;
  });

  it('throttles wrong TOTP codes at sign-in and on /me/totp/disable', async () => {
    await k.addUser('u-dee', { acme: 'member' });
    const session = await k.login('u-dee@example.test');
    const token = session.body.accessToken as string;
    const enrol = await k.call('POST', '/api/v1/me/totp', { token });
    const secret = base32Decode(enrol.body.secret);
    const step = Math.floor(Date.now() / 30_000);
    expect((await k.call('POST', '/api/v1/me/totp/confirm', { token, body: { code: hotp(secret, step) } })).status).toBe(200);
    const wrong = hotp(secret, step) === '000000' ? '111111' : '000000';

    const disable: number[] = [];
    for (let i = 0; i < 50; i += 1) disable.push((await k.call('POST', '/api/v1/me/totp/disable', { token, body: { code: wrong } })).status);
    expect(disable.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(disable.slice(5).every((s) => s === 429)).toBe(true);
    expect((await auditRows('auth.code-failed')).length).toBeLessThanOrEqual(4);

    // The account is locked for sign-in too (the same account), the right password and a right code included.
    const atSignIn = await k.login('u-dee@example.test', { totp: hotp(secret, step + 1) });
    expect(atSignIn.status).toBe(429);
    clock += 60 * 60_000 + 20 * 60_000;
    const totp: number[] = [];
    for (let i = 0; i < 10; i += 1) totp.push((await k.call('POST', '/api/v1/auth/login', { body: { email: 'u-dee@example.test', password: PASSWORD, totp: wrong } })).status);
    expect(totp.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(totp.slice(5).every((s) => s === 429)).toBe(true);
  });

  it('throttles wrong recovery codes at sign-in like wrong TOTP codes: the right recovery code is refused while locked', async () => {
    clock += 2 * 60 * 60_000;
    await k.addUser('u-eve', { acme: 'member' });
    const token = (await k.login('u-eve@example.test')).body.accessToken as string;
    const secret = base32Decode((await k.call('POST', '/api/v1/me/totp', { token })).body.secret);
    const confirmed = await k.call('POST', '/api/v1/me/totp/confirm', { token, body: { code: hotp(secret, Math.floor(Date.now() / 30_000)) } });
    const codes = confirmed.body.recoveryCodes as string[];
    const statuses: number[] = [];
    for (let i = 0; i < 10; i += 1)
      statuses.push((await k.call('POST', '/api/v1/auth/login', { body: { email: 'u-eve@example.test', password: PASSWORD, recoveryCode: 'aaaaa-aaaaa' } })).status);
    expect(statuses.slice(0, DEFAULT_ATTEMPT_POLICY.account.free)).toEqual(Array(DEFAULT_ATTEMPT_POLICY.account.free).fill(401));
    expect(statuses.slice(DEFAULT_ATTEMPT_POLICY.account.free).every((s) => s === 429)).toBe(true);
    const locked = await k.call('POST', '/api/v1/auth/login', { body: { email: 'u-eve@example.test', password: PASSWORD, recoveryCode: codes[0] } });
    expect(locked.status).toBe(429);
    const failures = await auditRows('auth.sign-in-failed', 'recovery-code');
    expect(failures.length).toBeGreaterThan(0);
    // The code refused while locked was not spent: it still works once the lockout ends.
    clock += 2 * 60 * 60_000;
    expect((await k.call('POST', '/api/v1/auth/login', { body: { email: 'u-eve@example.test', password: PASSWORD, recoveryCode: codes[0] } })).status).toBe(200);
  });
});

describe('client address and trusted proxies (VV_TRUSTED_PROXIES)', () => {
  const ipOfLastSignIn = async (k: AuthTestKernel, headers: Record<string, string>) => {
    await k.call('POST', '/api/v1/auth/login', { body: { email: 'nobody@example.test', password: 'x' }, headers });
    const res = await k.call('GET', '/api/v1/admin/audit?action=auth.sign-in-failed&limit=1', { token: await k.admin() });
    return res.body.items[0].ip as string;
  };

  it('ignores X-Forwarded-For when no proxy is trusted', async () => {
    const k = await bootAuthKernel();
    try {
      expect(await ipOfLastSignIn(k, { 'x-forwarded-for': '203.0.113.9' })).toBe('127.0.0.1');
    } finally {
      await k.close();
    }
  });

  it('believes X-Forwarded-For from a trusted proxy, only up to the first untrusted hop', async () => {
    const k = await bootAuthKernel({ trustedProxies: ['127.0.0.0/8', '10.0.0.0/8'] });
    try {
      expect(await ipOfLastSignIn(k, { 'x-forwarded-for': '203.0.113.9' })).toBe('203.0.113.9');
      // A client-written address left of the real client is not believed; trusted hops right of it are skipped.
      expect(await ipOfLastSignIn(k, { 'x-forwarded-for': '198.51.100.1, 203.0.113.10, 10.1.2.3' })).toBe('203.0.113.10');
    } finally {
      await k.close();
    }
  });
});
