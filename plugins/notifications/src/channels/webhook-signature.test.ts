import { signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 'whsec-0123456789abcdef';
  const body = JSON.stringify({ id: 'd-1', subject: 'Hi' });
  const now = 1_780_000_000_000;
  const header = signWebhook(secret, body, now / 1000);

  it('verifies its own signature and refuses a changed body, another secret and an old timestamp', () => {
    expect(header).toMatch(/^t=1780000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(secret, body, header, now)).toBeUndefined();
    expect(verifyWebhook(secret, body.replace('Hi', 'Ho'), header, now)).toBe('signature does not match');
    expect(verifyWebhook('another-secret-value', body, header, now)).toBe('signature does not match');
    expect(verifyWebhook(secret, body, header, now + 301_000)).toBe('timestamp outside the tolerance');
    expect(verifyWebhook(secret, body, undefined, now)).toBe('no signature header');
    expect(verifyWebhook(secret, body, 't=x', now)).toBe('malformed signature header');
  });
});
