import { VvError } from '@valueverse/plugin-sdk';

/** Prefixes the kernel serves itself under /api/v1; no plugin may claim them. */
export const kernelPrefixes: readonly string[] = ['/auth', '/admin', '/me', '/events'];

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * Which plugin owns which `/api/v1` path prefix. Claims are checked when a plugin is loaded: an overlapping claim
 * (equal or nested prefixes) is rejected with VV_ROUTE_CONFLICT naming both sides.
 */
export class RouteOwnership {
  private readonly owners = new Map<string, string>();
  /** Longest prefixes first, so that lookups find the most specific owner. */
  private sorted: [string, string][] = [];

  constructor() {
    for (const prefix of kernelPrefixes) this.owners.set(prefix, 'kernel');
    this.resort();
  }

  claim(pluginId: string, prefixes: readonly string[]): void {
    for (const prefix of prefixes) {
      for (const [other, owner] of this.owners) {
        if (owner !== pluginId && overlaps(prefix, other)) {
          throw new VvError('VV_ROUTE_CONFLICT', { params: { prefix, plugin: pluginId, otherPrefix: other, otherPlugin: owner } });
        }
      }
    }
    for (const prefix of prefixes) this.owners.set(prefix, pluginId);
    this.resort();
  }

  release(pluginId: string): void {
    for (const [prefix, owner] of this.owners) if (owner === pluginId) this.owners.delete(prefix);
    this.resort();
  }

  /** The owner of a path under /api/v1 (e.g. `/calculate/npv` → `calculation`), or undefined. */
  ownerOf(path: string): { pluginId: string; prefix: string } | undefined {
    for (const [prefix, pluginId] of this.sorted) {
      if (path === prefix || path.startsWith(`${prefix}/`)) return { pluginId, prefix };
    }
    return undefined;
  }

  prefixesOf(pluginId: string): string[] {
    return [...this.owners].filter(([, owner]) => owner === pluginId).map(([prefix]) => prefix);
  }

  private resort(): void {
    this.sorted = [...this.owners].sort((a, b) => b[0].length - a[0].length);
  }
}
