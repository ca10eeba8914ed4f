import { base32Decode, base32Encode, generateTotpSecret, hotp, otpauthUri, verifyTotp } from './totp';

describe('TOTP (RFC 6238) and HOTP (RFC 4226)', () => {
  const rfcKey = Buffer.from('12345678901234567890');

  it('matches the RFC 4226 appendix D HOTP values', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    expect(expected.map((_, counter) => hotp(rfcKey, counter))).toEqual(expected);
  });

  it.each([
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ])('matches the RFC 6238 appendix B SHA-1 value at T=%i', (seconds, code) => {
    expect(hotp(rfcKey, Math.floor(seconds / 30), 8)).toBe(code);
  });

  it('round-trips base32 (RFC 4648 test vectors)', () => {
    expect(base32Encode(Buffer.from('foobar'))).toBe('MZXW6YTBOI');
    expect(base32Decode('MZXW6YTBOI').toString()).toBe('foobar');
    expect(base32Decode('mzxw6ytboi======').toString()).toBe('foobar');
  });

  it('accepts the current step and one step of drift, nothing further', () => {
    const secret = base32Encode(rfcKey);
    const at = 1_700_000_000_000;
    const step = Math.floor(at / 30_000);
    expect(verifyTotp(secret, hotp(rfcKey, step), at)).toBe(step);
    expect(verifyTotp(secret, hotp(rfcKey, step - 1), at)).toBe(step - 1);
    expect(verifyTotp(secret, hotp(rfcKey, step + 2), at)).toBeUndefined();
    expect(verifyTotp(secret, '12345', at)).toBeUndefined();
  });

  it('verifies secrets stored before otplib: unpadded upper-case base32 of the raw key (RFC 6238 T=59 is 287082)', () => {
    // base32Encode('12345678901234567890') as the hand-written encoder wrote it, byte for byte.
    const stored = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
    expect(base32Encode(rfcKey)).toBe(stored);
    expect(verifyTotp(stored, '287082', 59_000)).toBe(1);
    expect(verifyTotp(stored, '287083', 59_000)).toBeUndefined();
  });

  it('makes 160-bit secrets and an otpauth URI an authenticator app reads', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(base32Decode(secret)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
    const uri = new URL(otpauthUri(secret, 'ada@acme.test'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/ValueVerse:ada@acme.test');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('ValueVerse');
  });
});
