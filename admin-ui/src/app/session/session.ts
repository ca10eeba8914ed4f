/** Roles from weakest to strongest (the kernel's `roles`). */
export const ROLES = ['viewer', 'member', 'tenant-admin', 'platform-admin'] as const;

export type Role = (typeof ROLES)[number];

export interface SessionUser {
  readonly id: string;
  readonly email: string;
  readonly platformAdmin: boolean;
}

export interface TenantMembership {
  readonly id: string;
  readonly name: string;
  readonly role: string;
}

/** What POST /api/v1/auth/login and /auth/refresh answer. */
export interface TokenResponse {
  readonly accessToken: string;
  readonly refreshToken?: string;
  readonly tokenType?: string;
  /** Seconds the access token is valid for. */
  readonly expiresIn: number;
  readonly user: SessionUser;
  readonly tenant: TenantMembership;
  readonly tenants: readonly TenantMembership[];
}

/** The signed-in state kept in storage (shared by the tabs of one browser). */
export interface Session {
  readonly accessToken: string;
  readonly refreshToken?: string;
  /** Epoch milliseconds when the access token expires. */
  readonly expiresAt: number;
  readonly user: SessionUser;
  readonly tenant: TenantMembership;
  readonly tenants: readonly TenantMembership[];
}

/** True when `role` is `minimum` or stronger; unknown roles are weakest. */
export function hasRole(role: string | undefined, minimum: Role): boolean {
  return ROLES.indexOf(role as Role) >= ROLES.indexOf(minimum);
}

export function sessionFrom(response: TokenResponse, now = Date.now()): Session {
  return {
    accessToken: response.accessToken,
    refreshToken: response.refreshToken,
    expiresAt: now + Math.max(0, response.expiresIn) * 1000,
    user: response.user,
    tenant: response.tenant,
    tenants: response.tenants?.length ? response.tenants : [response.tenant],
  };
}

/** Parses a stored session, or undefined when it is missing or not one of ours. */
export function parseSession(text: string | null | undefined): Session | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Session>;
    if (typeof value.accessToken !== 'string' || typeof value.expiresAt !== 'number' || !value.user || !value.tenant) return undefined;
    return value as Session;
  } catch {
    return undefined;
  }
}
