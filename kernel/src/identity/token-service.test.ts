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
});
