import { roles, type Role } from '@valueverse/plugin-sdk';

/** True when `role` is `minimum` or stronger (viewer < member < tenant-admin < platform-admin). */
export function hasRole(role: Role, minimum: Role): boolean {
  return roles.indexOf(role) >= roles.indexOf(minimum);
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}
