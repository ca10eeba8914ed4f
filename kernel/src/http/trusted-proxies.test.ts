import type { IncomingMessage } from 'node:http';
import { TrustedProxies, trustedProxyProblem } from './trusted-proxies';

const request = (peer: string, forwarded?: string) =>
  ({ socket: { remoteAddress: peer }, headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded } }) as unknown as IncomingMessage;

describe('TrustedProxies', () => {
  it('validates entries: addresses and CIDR blocks of either family', () => {
    for (const ok of ['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8', '0.0.0.0/0']) expect(trustedProxyProblem(ok)).toBeUndefined();
    for (const bad of ['10.0.0', 'proxy.local', '10.0.0.0/33', '::/129', '10.0.0.0/8/1', '10.0.0.0/x']) expect(trustedProxyProblem(bad)).toEqual(expect.any(String));
    expect(() => new TrustedProxies(['10.0.0.0/40'])).toThrow(/10\.0\.0\.0\/40/);
  });

  it('uses the socket peer when no proxy is trusted or the peer is not one', () => {
    expect(new TrustedProxies([]).clientAddress(request('127.0.0.1', '203.0.113.9'))).toBe('127.0.0.1');
    expect(new TrustedProxies(['10.0.0.0/8']).clientAddress(request('192.0.2.1', '203.0.113.9'))).toBe('192.0.2.1');
  });

  it('reads X-Forwarded-For from the right, past trusted hops, and stops at the first untrusted one', () => {
    const proxies = new TrustedProxies(['10.0.0.0/8', '::1']);
    expect(proxies.clientAddress(request('10.0.0.2', '203.0.113.9'))).toBe('203.0.113.9');
    expect(proxies.clientAddress(request('::ffff:10.0.0.2', 'spoofed, 198.51.100.4, 10.9.9.9'))).toBe('198.51.100.4');
    expect(proxies.clientAddress(request('::1', '2001:db8::7'))).toBe('2001:db8::7');
    // Only trusted hops: the leftmost is the client. Garbage: the last trusted hop is all that is known.
    expect(proxies.clientAddress(request('10.0.0.2', '10.0.0.3'))).toBe('10.0.0.3');
    expect(proxies.clientAddress(request('10.0.0.2', 'not-an-ip'))).toBe('10.0.0.2');
    expect(proxies.clientAddress(request('10.0.0.2'))).toBe('10.0.0.2');
  });
});
