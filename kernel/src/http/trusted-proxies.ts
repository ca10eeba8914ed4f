import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type Koa from 'koa';

/** `::ffff:10.0.0.1` (an IPv4 peer of a dual-stack socket) is 10.0.0.1; `[::1]` is ::1. */
function normalize(address: string): string {
  const bare = address.trim().replace(/^\[(.*)\]$/, '$1');
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(bare) ? bare.slice(7) : bare;
}

/** Why `entry` is not an IP address or a CIDR block (e.g. `10.0.0.0/8`, `fd00::/8`), or undefined when it is one. */
export function trustedProxyProblem(entry: string): string | undefined {
  const [address, prefix, ...rest] = entry.trim().split('/');
  const family = isIP(address ?? '');
  if (family === 0 || rest.length > 0) return `"${entry}" is not an IP address or CIDR block`;
  if (prefix === undefined) return undefined;
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : NaN;
  return bits >= 0 && bits <= (family === 4 ? 32 : 128) ? undefined : `"${entry}" has a prefix length outside 0-${family === 4 ? 32 : 128}`;
}

/**
 * The client address of a request: the socket's peer, unless that peer is a trusted proxy, in which case the
 * `X-Forwarded-For` chain is read from the right (the hop nearest to us) past every trusted proxy, and the first
 * address that is not one is the client. Addresses a client wrote itself sit left of that and are never believed.
 */
export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  /** Throws a TypeError naming the first entry that is not an IP address or CIDR block. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const problem = trustedProxyProblem(entry);
      if (problem) throw new TypeError(`trusted proxies: ${problem}`);
      const [address, prefix] = entry.trim().split('/') as [string, string | undefined];
      const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefix === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefix), type);
    }
    this.size = entries.length;
  }

  trusts(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  clientAddress(req: IncomingMessage): string {
    const peer = normalize(req.socket.remoteAddress ?? '');
    if (this.size === 0 || !this.trusts(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map(normalize)
      .filter((h) => h !== '');
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i -= 1) {
      const hop = hops[i]!;
      // Not an address: the chain is unreadable from here on; the last proxy we trust is all we know.
      if (isIP(hop) === 0) break;
      client = hop;
      if (!this.trusts(hop)) break;
    }
    return client;
  }

  /**
   * Makes `ctx.ip` (audit rows, rate limits, sign-in protection) this client address, worked out on first use.
   * Koa's own `proxy` mode would believe `X-Forwarded-*` from anyone, so it is turned off.
   */
  install(app: Koa<never>): void {
    app.proxy = false;
    const clientAddress = (req: IncomingMessage) => this.clientAddress(req);
    const cached = Symbol('vv.clientAddress');
    Object.defineProperty(app.request, 'ip', {
      configurable: true,
      get(this: { req: IncomingMessage; [cached]?: string }) {
        return (this[cached] ??= clientAddress(this.req));
      },
      set(this: { [cached]?: string }, value: string) {
        this[cached] = value;
      },
    });
  }
}
