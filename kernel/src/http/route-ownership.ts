import { VvError } from '@valueverse/plugin-sdk';

/**
 * Prefixes the kernel serves itself under /api/v1; no plugin may claim them. `/marketplace` is where a host mounts its
 * registry (PACKAGE-SPEC: `R` = `<host>/api/v1/marketplace`): reserved on every instance, mounted there or not (a
 * worker mounts none), so that all instances refuse the same packages.
 */
export const kernelPrefixes: readonly string[] = ['/auth', '/admin', '/me', '/events', '/marketplace'];

const API = '/api/v1';

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}

/**
 * Which plugin owns which `/api/v1` path prefix. Claims are checked when a plugin is loaded: an overlapping claim
 * (equal or nested prefixes) is rejected with VV_ROUTE_CONFLICT naming both sides.
 */
export class RouteOwnership {
  private readonly owners = new Map<string, string>();
  /**
   * Prefixes by their first segment (`/calculate/x` under `/calculate`), longest first, so that a lookup tries only
   * the few that can match, and finds the most specific owner first. Every request asks, so nothing is built then.
   */
  private byFirstSegment = new Map<string, { readonly prefix: string; readonly below: string; readonly owner: { pluginId: string; prefix: string } }[]>();

  /** @param mounts apps the host mounts in the kernel (`KernelMount`): their prefixes under /api/v1 are the kernel's too. */
  constructor(mounts: readonly { readonly prefix: string }[] = []) {
    for (const prefix of kernelPrefixes) this.owners.set(prefix, 'kernel');
    for (const { prefix } of mounts) if (prefix.startsWith(`${API}/`)) this.owners.set(prefix.slice(API.length), 'kernel');
    this.resort();
  }

  claim(pluginId: string, prefixes: readonly string[]): void {
    this.check(pluginId, prefixes);
    for (const prefix of prefixes) this.owners.set(prefix, pluginId);
    this.resort();
  }

  /** Throws what `claim` would, claiming nothing: an install checks its prefixes before it starts the plugin. */
  check(pluginId: string, prefixes: readonly string[]): void {
    for (const prefix of prefixes) {
      for (const [other, owner] of this.owners) {
        if (owner !== pluginId && overlaps(prefix, other)) {
          throw new VvError('VV_ROUTE_CONFLICT', { params: { prefix, plugin: pluginId, otherPrefix: other, otherPlugin: owner } });
        }
      }
    }
  }

  /** Gives a plugin exactly `prefixes` in one step (an upgrade whose prefixes changed); checked like `claim`. */
  replace(pluginId: string, prefixes: readonly string[]): void {
    this.check(pluginId, prefixes);
    for (const [prefix, owner] of this.owners) if (owner === pluginId) this.owners.delete(prefix);
    for (const prefix of prefixes) this.owners.set(prefix, pluginId);
    this.resort();
  }

  release(pluginId: string): void {
    for (const [prefix, owner] of this.owners) if (owner === pluginId) this.owners.delete(prefix);
    this.resort();
  }

  /** The owner of a path under /api/v1 (e.g. `/calculate/npv` → `calculation`), or undefined. */
  ownerOf(path: string): Readonly<{ pluginId: string; prefix: string }> | undefined {
    const candidates = this.byFirstSegment.get(firstSegment(path));
    if (candidates === undefined) return undefined;
    for (const candidate of candidates) {
      if (path === candidate.prefix || path.startsWith(candidate.below)) return candidate.owner;
    }
    return undefined;
  }

  prefixesOf(pluginId: string): string[] {
    return [...this.owners].filter(([, owner]) => owner === pluginId).map(([prefix]) => prefix);
  }

  private resort(): void {
    const index = new Map<string, { prefix: string; below: string; owner: { pluginId: string; prefix: string } }[]>();
    for (const [prefix, pluginId] of [...this.owners].sort((a, b) => b[0].length - a[0].length)) {
      const segment = firstSegment(prefix);
      const list = index.get(segment) ?? [];
      list.push({ prefix, below: `${prefix}/`, owner: { pluginId, prefix } });
      index.set(segment, list);
    }
    this.byFirstSegment = index;
  }
}

/** `/calculate` of `/calculate/npv` (the whole path when it has one segment). */
function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path : path.slice(0, end);
}
