import { TokenService } from './token-service';

const claims = { sub: 'u1', tid: 'acme', role: 'member' as const, pa: false };

describe('TokenService', () => {
  it('verifies a token it issued', async () => {
    const tokens = await TokenService.create();
    await expect(tokens.verify(await tokens.issue(claims))).resolves.toMatchObject({ sub: 'u1', tid: 'acme', role: 'member', pa: false });
  });

  it('rejects an expired token as VV_UNAUTHENTICATED "access token expired"', async () => {
    const tokens = await TokenService.create({ ttlSeconds: 0 });
    const token = await tokens.issue(claims);
    await expect(tokens.verify(token)).rejects.toMatchObject({ code: 'VV_UNAUTHENTICATED', status: 401, message: 'access token expired' });
  });

  it('rejects a token signed by another key', async () => {
    const ours = await TokenService.create();
    const theirs = await TokenService.create();
    await expect(ours.verify(await theirs.issue(claims))).rejects.toMatchObject({ code: 'VV_UNAUTHENTICATED', message: 'access token invalid' });
  });

  it('remembers a verified token only as that exact string: another token with the same signature tail is verified afresh', async () => {
    const tokens = await TokenService.create();
    const token = await tokens.issue(claims);
    await tokens.verify(token);
    expect(tokens.cached(token)).toMatchObject({ sub: 'u1', tid: 'acme' });
    // Same last 64 characters (the cache key), a different payload: must not ride on the first token's verification.
    const [header, , signature] = token.split('.');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin', tid: 'acme', role: 'owner', exp: 9_999_999_999 })).toString('base64url')}.${signature}`;
    expect(forged.slice(-64)).toBe(token.slice(-64));
    expect(tokens.cached(forged)).toBeUndefined();
    await expect(tokens.verify(forged)).rejects.toMatchObject({ code: 'VV_UNAUTHENTICATED', message: 'access token invalid' });
    expect(tokens.cached(token)).toMatchObject({ sub: 'u1' });
  });
});
