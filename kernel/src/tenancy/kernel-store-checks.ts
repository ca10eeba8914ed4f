import { decodeCursor, roles, VvError, type Role } from '@valueverse/plugin-sdk';
import type { MembershipRecord, TenantStatus } from './kernel-store';

const tenantStatuses: readonly TenantStatus[] = ['active', 'suspended'];

// Checks every KernelStore implementation runs before writing, so a bad value fails the same way (VV_VALIDATION)
// in memory and in PostgreSQL, where check constraints are the second line.

/** Returns `status` when it is a TenantStatus; throws `VV_VALIDATION` otherwise. */
export function checkTenantStatus(status: unknown): TenantStatus {
  if (!tenantStatuses.includes(status as TenantStatus)) {
    throw VvError.validation([{ pointer: '/status', message: `must be one of: ${tenantStatuses.join(', ')}` }]);
  }
  return status as TenantStatus;
}

/** Returns the membership when its role is a known Role; throws `VV_VALIDATION` otherwise. */
export function checkMembership(membership: MembershipRecord): MembershipRecord {
  if (!roles.includes(membership.role as Role)) {
    throw VvError.validation([{ pointer: '/role', message: `must be one of: ${roles.join(', ')}` }]);
  }
  return membership;
}

/**
 * What `listTenants` matches: the search text trimmed and lower-cased (both stores compare it with the tenant's
 * lower-cased id and name), or undefined for "every tenant".
 */
export function tenantSearchText(q: string | undefined): string | undefined {
  const text = q?.trim().toLowerCase();
  return text ? text : undefined;
}

/** The id after which a tenant page starts, from its cursor (`VV_VALIDATION` for a cursor not made by the list). */
export function tenantCursorId(cursor: string | undefined): string | undefined {
  return cursor === undefined ? undefined : decodeCursor(cursor, ['string'])[0];
}
