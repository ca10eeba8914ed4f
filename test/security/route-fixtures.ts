import type { HttpRouteInfo } from '@valueverse/kernel';
import type { Role } from '@valueverse/plugin-sdk';

/** What fixtures may use: the host, the tenant whose data they create, and its callers. */
export interface FixtureContext {
  readonly url: string;
  readonly tenant: string;
  token(role: Role): string;
}

/** Values for a route's path parameters and a valid body, so checks fail for the right reason. */
export interface RouteFixtures {
  params(route: HttpRouteInfo, name: string): string | undefined;
  body(route: HttpRouteInfo): unknown;
}

/** One plugin's fixtures: creates a resource or two in the tenant and says how to fill its routes. */
interface PluginFixture {
  seed(ctx: FixtureContext, api: Api): Promise<Record<string, string>>;
  /** Valid bodies by `METHOD path` (full path with placeholders). */
  bodies?: Record<string, unknown>;
}

type Api = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<T>;

// Plugins whose routes take ids. A plugin that adds a route with a parameter not filled here makes the security
// suite fail with the route's name: add its fixture below.
const pluginFixtures: Record<string, PluginFixture> = {};

/** Seeds every plugin fixture in the tenant and answers for the kernel's own parameters. */
export async function routeFixtures(ctx: FixtureContext): Promise<RouteFixtures> {
  const api: Api = async (method, path, body) => {
    const res = await fetch(`${ctx.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ctx.token('tenant-admin')}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`fixture ${method} ${path} failed: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as never;
  };
  const key = await api<{ id: string }>('POST', `/api/v1/admin/tenants/${ctx.tenant}/api-keys`, { name: 'security-suite', role: 'viewer' });
  const kernelParams: Record<string, string> = { tenantId: ctx.tenant, pluginId: 'calculation', keyId: key.id, userId: `u-${ctx.tenant}-viewer`, id: 'no-such-job' };
  const seeded: Record<string, Record<string, string>> = {};
  for (const [plugin, fixture] of Object.entries(pluginFixtures)) seeded[plugin] = await fixture.seed(ctx, api);
  return {
    params: (route, name) => (route.owner === 'kernel' ? kernelParams[name] : seeded[route.owner]?.[name]),
    body: (route) => pluginFixtures[route.owner]?.bodies?.[`${route.method} ${route.path}`] ?? {},
  };
}
