import { parsePrivateAllowance } from './private-allowance';

describe('parsePrivateAllowance (VV_OUTBOUND_ALLOW_PRIVATE)', () => {
  it('reads unset, empty and false as "none", true as "all"', () => {
    for (const raw of [undefined, '', '  ', 'false', 'FALSE']) expect(parsePrivateAllowance(raw)).toEqual({ allowance: { all: false, entries: [] }, problems: [] });
    expect(parsePrivateAllowance('true').allowance.all).toBe(true);
  });

  it('reads a list of ranges, addresses and host names, with or without ports', () => {
    const { allowance, problems } = parsePrivateAllowance('10.0.0.0/8, 127.0.0.1:11434,[::1]:8080, fd00::/8, Ollama.Internal:11434, gpu-box, ::1');
    expect(problems).toEqual([]);
    expect(allowance.entries).toEqual([
      { kind: 'cidr', address: '10.0.0.0', prefix: 8, family: 4 },
      { kind: 'address', address: '127.0.0.1', family: 4, port: 11434 },
      { kind: 'address', address: '::1', family: 6, port: 8080 },
      { kind: 'cidr', address: 'fd00::', prefix: 8, family: 6 },
      { kind: 'host', host: 'ollama.internal', port: 11434 },
      { kind: 'host', host: 'gpu-box' },
      { kind: 'address', address: '::1', family: 6 },
    ]);
  });

  it('reports every bad entry', () => {
    expect(parsePrivateAllowance('yes please, 10.0.0.0/33, 127.0.0.1:0, host:99999, [nothost]:80, 300.1.1.1/8').problems).toEqual([
      '"yes please" is not an address, a host name, host:port or a CIDR range',
      '"10.0.0.0/33": the prefix is longer than the address',
      '"127.0.0.1:0": the port must be 1-65535',
      '"host:99999": the port must be 1-65535',
      '"[nothost]:80" is not an address, a host name, host:port or a CIDR range',
      '"300.1.1.1/8": "300.1.1.1" is not an IP address',
    ]);
    expect(parsePrivateAllowance(',,').problems).toEqual(['must be "true", "false" or a list of exceptions']);
  });
});
