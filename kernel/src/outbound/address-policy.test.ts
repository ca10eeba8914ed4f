import { AddressPolicy, classifyAddress } from './address-policy';
import { parsePrivateAllowance } from './private-allowance';

const policy = (allow?: string) => new AddressPolicy(parsePrivateAllowance(allow).allowance);

describe('classifyAddress', () => {
  it.each([
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['169.254.1.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['ff02::1', 'multicast'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['255.255.255.255', 'reserved'],
    ['::7f00:1', 'reserved'],
    ['172.32.0.1', 'public'],
    ['8.8.8.8', 'public'],
    ['2001:4860:4860::8888', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    ['::ffff:169.254.169.254', 'metadata'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::FFFF:127.0.0.1', 'loopback'],
    ['64:ff9b::10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
  ])('reads the IPv4 address inside %s (%s)', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('refuses text that is not an address', () => {
    expect(() => classifyAddress('example.com')).toThrow(TypeError);
  });
});

describe('AddressPolicy', () => {
  const at = (address: string, host = address, port = 80) => ({ host, port, address });

  it('allows public addresses and refuses loopback and private ones by default, naming the variable', () => {
    expect(policy().refusal(at('8.8.8.8'))).toBeUndefined();
    expect(policy().refusal(at('127.0.0.1'))).toBe('127.0.0.1 is a loopback address, which this deployment does not allow (VV_OUTBOUND_ALLOW_PRIVATE)');
    expect(policy().refusal(at('10.1.2.3', 'db.internal'))).toBe(
      'db.internal resolves to 10.1.2.3, which is a private address, which this deployment does not allow (VV_OUTBOUND_ALLOW_PRIVATE)',
    );
  });

  it('never allows link-local, metadata, unspecified or multicast addresses, whatever the operator says', () => {
    for (const address of ['169.254.169.254', 'fe80::1', '0.0.0.0', '224.0.0.1', '::ffff:169.254.169.254']) {
      expect(policy('true').refusal(at(address))).toMatch(/is an? (metadata|link-local|unspecified|multicast) address$/);
      expect(policy('169.254.0.0/16').refusal(at(address))).toBeDefined();
    }
  });

  it('allows what the operator lists: everything, a range, an address and port, a host name and port', () => {
    expect(policy('true').refusal(at('10.0.0.1'))).toBeUndefined();
    expect(policy('10.20.0.0/16').refusal(at('10.20.3.4'))).toBeUndefined();
    expect(policy('10.20.0.0/16').refusal(at('10.21.3.4'))).toBeDefined();
    expect(policy('127.0.0.1:11434').refusal(at('127.0.0.1', '127.0.0.1', 11434))).toBeUndefined();
    expect(policy('127.0.0.1:11434').refusal(at('127.0.0.1', '127.0.0.1', 22))).toBeDefined();
    expect(policy('[::1]:11434').refusal(at('0:0:0:0:0:0:0:1', '::1', 11434))).toBeUndefined();
    expect(policy('ollama.internal:11434').refusal(at('10.9.9.9', 'ollama.internal', 11434))).toBeUndefined();
    expect(policy('ollama.internal:11434').refusal(at('10.9.9.9', 'other.internal', 11434))).toBeDefined();
    expect(policy('ollama.internal').refusal(at('10.9.9.9', 'ollama.internal', 8080))).toBeUndefined();
  });
});
