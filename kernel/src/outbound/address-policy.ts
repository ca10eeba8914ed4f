import { BlockList, isIP } from 'node:net';
import { NO_PRIVATE_DESTINATIONS, type PrivateAllowance } from './private-allowance';

/** What an address is, as far as outbound calls care. */
export type AddressClass = 'public' | 'loopback' | 'private' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved';

type Range = readonly [address: string, prefix: number, family: 'ipv4' | 'ipv6'];

/** Checked in this order: the first list that holds the address names its class. */
const classes: readonly (readonly [AddressClass, readonly Range[]])[] = [
  // Cloud instance metadata: AWS/GCP/Azure/OpenStack (169.254.169.254), ECS tasks, AWS over IPv6, Alibaba.
  [
    'metadata',
    [
      ['169.254.169.254', 32, 'ipv4'],
      ['169.254.170.2', 32, 'ipv4'],
      ['fd00:ec2::254', 128, 'ipv6'],
      ['100.100.100.200', 32, 'ipv4'],
    ],
  ],
  [
    'link-local',
    [
      ['169.254.0.0', 16, 'ipv4'],
      ['fe80::', 10, 'ipv6'],
    ],
  ],
  [
    'unspecified',
    [
      ['0.0.0.0', 8, 'ipv4'],
      ['::', 128, 'ipv6'],
    ],
  ],
  [
    'multicast',
    [
      ['224.0.0.0', 4, 'ipv4'],
      ['ff00::', 8, 'ipv6'],
    ],
  ],
  [
    'loopback',
    [
      ['127.0.0.0', 8, 'ipv4'],
      ['::1', 128, 'ipv6'],
    ],
  ],
  // RFC 1918, shared address space (carrier NAT, RFC 6598), unique local IPv6.
  [
    'private',
    [
      ['10.0.0.0', 8, 'ipv4'],
      ['172.16.0.0', 12, 'ipv4'],
      ['192.168.0.0', 16, 'ipv4'],
      ['100.64.0.0', 10, 'ipv4'],
      ['fc00::', 7, 'ipv6'],
    ],
  ],
  // 240/4 (with broadcast), IPv4-compatible ::/96 (deprecated; never a real destination), discard-only 100::/64.
  [
    'reserved',
    [
      ['240.0.0.0', 4, 'ipv4'],
      ['::', 96, 'ipv6'],
      ['100::', 64, 'ipv6'],
    ],
  ],
];

const lists: readonly (readonly [AddressClass, BlockList])[] = classes.map(([name, ranges]) => {
  const list = new BlockList();
  for (const [address, prefix, family] of ranges) list.addSubnet(address, prefix, family);
  return [name, list] as const;
});

/** Classes refused whatever the operator says: nothing legitimate is reached there by a plugin. */
const ALWAYS_REFUSED: ReadonlySet<AddressClass> = new Set(['metadata', 'link-local', 'unspecified', 'multicast', 'reserved']);

/**
 * The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`) or NAT64 (`64:ff9b::a.b.c.d`) IPv6 address, which
 * reach that IPv4 host: `::ffff:169.254.169.254` is the metadata service.
 */
function embeddedIPv4(address: string): string | undefined {
  const normal = new URL(`http://[${address}]`).hostname.slice(1, -1); // the WHATWG serializer: lower case, hex groups
  const match = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(normal);
  if (!match) return undefined;
  const high = parseInt(match[1]!, 16);
  const low = parseInt(match[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** The class of an IP address (v4 or v6 text). */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 0) throw new TypeError(`not an IP address: "${address}"`);
  const v4 = family === 6 ? embeddedIPv4(address) : address;
  const [text, type] = v4 !== undefined ? [v4, 'ipv4' as const] : [address, 'ipv6' as const];
  for (const [name, list] of lists) if (list.check(text, type)) return name;
  return 'public';
}

/** Where a call goes: the host as written in the URL (lower case, no brackets), the port, and one resolved address. */
export interface Destination {
  readonly host: string;
  readonly port: number;
  readonly address: string;
}

/**
 * Decides whether a resolved address may be connected to. Link-local, metadata, unspecified, multicast and reserved
 * addresses are always refused; loopback and private ones unless the operator's allowance covers them (by range,
 * by address and port, or by host name and port).
 */
export class AddressPolicy {
  private readonly allowed = new BlockList();

  constructor(private readonly allowance: PrivateAllowance = NO_PRIVATE_DESTINATIONS) {
    for (const entry of allowance.entries) {
      if (entry.kind === 'cidr') this.allowed.addSubnet(entry.address, entry.prefix, entry.family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Undefined when the call may go ahead, else the reason it may not (safe to show: it names only the address). */
  refusal(destination: Destination): string | undefined {
    const kind = classifyAddress(destination.address);
    if (kind === 'public') return undefined;
    const what = destination.address === destination.host ? destination.address : `${destination.host} resolves to ${destination.address}, which`;
    if (ALWAYS_REFUSED.has(kind)) return `${what} is a${kind === 'unspecified' ? 'n' : ''} ${kind} address`;
    if (this.allows(destination)) return undefined;
    return `${what} is a ${kind} address, which this deployment does not allow (VV_OUTBOUND_ALLOW_PRIVATE)`;
  }

  private allows(destination: Destination): boolean {
    if (this.allowance.all) return true;
    const family = isIP(destination.address) === 4 ? 'ipv4' : 'ipv6';
    if (this.allowed.check(destination.address, family)) return true;
    const normal = (address: string) => (isIP(address) === 6 ? new URL(`http://[${address}]`).hostname.slice(1, -1) : address);
    return this.allowance.entries.some((entry) => {
      if (entry.kind === 'cidr') return false;
      if (entry.port !== undefined && entry.port !== destination.port) return false;
      return entry.kind === 'host' ? entry.host === destination.host : normal(entry.address) === normal(destination.address);
    });
  }
}
