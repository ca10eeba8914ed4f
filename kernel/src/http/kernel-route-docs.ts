import type { JsonSchema } from '@valueverse/plugin-sdk';
import { createTenantSchema, patchTenantSchema, putPluginSchema, tenantQuerySchema } from '../admin/admin-routes';
import { loginSchema, logoutSchema, refreshSchema } from '../auth/auth-routes';
import { addMemberSchema, auditQuerySchema, createApiKeySchema, memberRoleSchema, totpCodeSchema, userStatusSchema } from '../identity/identity-routes';
import { acceptInvitationSchema } from '../identity/invitation-routes';

/** What `/api/openapi.json` says of a kernel route: a summary, and the schemas its handler validates with. */
export interface KernelRouteDoc {
  readonly summary: string;
  readonly body?: JsonSchema;
  readonly query?: JsonSchema;
  /** Set for routes answering something other than JSON. */
  readonly produces?: string;
}

/**
 * One entry per kernel route, keyed like `kernelRouteAccess`. The schemas are the ones the handlers validate with
 * (imported, not copied), so the document cannot drift from what the kernel accepts.
 */
export const kernelRouteDocs: Readonly<Record<string, KernelRouteDoc>> = {
  'GET /health/live': { summary: 'Liveness: the process answers' },
  'GET /health/ready': { summary: "Readiness, with each plugin's state and error" },
  'GET /metrics': { summary: 'Prometheus metrics', produces: 'text/plain' },
  'GET /api/openapi.json': { summary: 'This document' },
  'GET /.well-known/jwks.json': { summary: 'Public keys (EdDSA) that sign access tokens' },
  'POST /api/v1/auth/login': { summary: 'Sign in with email and password (and a TOTP code when the user has one); returns access and refresh tokens; 429 VV_TOO_MANY_ATTEMPTS with Retry-After while the account or client address is locked out', body: loginSchema },
  'POST /api/v1/auth/refresh': { summary: 'Rotate a refresh token; presenting a spent one revokes every token of that sign-in; a tenant the user is not in is refused before the token is spent', body: refreshSchema },
  'POST /api/v1/auth/logout': { summary: "Sign out: revoke the refresh token's family", body: logoutSchema },
  'GET /api/v1/me': { summary: "The caller, its tenant, and the tenant's enabled plugins" },
  'GET /api/v1/me/totp': { summary: "Whether the caller's TOTP second factor is on or pending" },
  'POST /api/v1/me/totp': { summary: 'Start TOTP enrolment: a new secret and its otpauth:// URI' },
  'POST /api/v1/me/totp/confirm': { summary: 'Turn TOTP on with a current code', body: totpCodeSchema },
  'POST /api/v1/me/totp/disable': { summary: 'Turn TOTP off with a current code', body: totpCodeSchema },
  'GET /api/v1/events/stream': { summary: "Server-sent events of the caller's tenant (plugin events, plugin-set.changed); ?access_token= accepted; Last-Event-ID or ?lastEventId= resumes; ends with stream.revoked when the credential is revoked; 429 VV_TOO_MANY_STREAMS past 10 per user or API key", produces: 'text/event-stream' },
  'GET /api/v1/admin/plugins': { summary: 'Installed plugins: manifest, state, requirements and dependants' },
  'GET /api/v1/admin/audit': { summary: 'The audit log, newest first, filtered, with cursor pagination', query: auditQuerySchema },
  'GET /api/v1/admin/tenants': { summary: 'Tenants sorted by id, with cursor pagination (?limit=, default 50, at most 200; ?cursor=) and ?q= (id or name contains it, any case)', query: tenantQuerySchema },
  'POST /api/v1/admin/tenants': { summary: 'Create a tenant', body: createTenantSchema },
  'GET /api/v1/admin/tenants/:tenantId': { summary: 'One tenant' },
  'PATCH /api/v1/admin/tenants/:tenantId': { summary: 'Rename, suspend or reactivate a tenant, or change its settings (quotas, rate limits)', body: patchTenantSchema },
  'DELETE /api/v1/admin/tenants/:tenantId': { summary: 'Delete a tenant with its plugin set and memberships' },
  'GET /api/v1/admin/tenants/:tenantId/plugins': { summary: "The tenant's plugin set: every plugin, enabled or not, with its config (secrets masked)" },
  'PUT /api/v1/admin/tenants/:tenantId/plugins/:pluginId': { summary: 'Enable, disable or configure a plugin for the tenant (?cascade=true, ?dryRun=true)', body: putPluginSchema },
  'GET /api/v1/admin/tenants/:tenantId/api-keys': { summary: "The tenant's API keys (never the keys themselves)" },
  'POST /api/v1/admin/tenants/:tenantId/api-keys': { summary: 'Create an API key; the key is in this response only', body: createApiKeySchema },
  'DELETE /api/v1/admin/tenants/:tenantId/api-keys/:keyId': { summary: 'Revoke an API key' },
  'GET /api/v1/admin/tenants/:tenantId/members': { summary: "The tenant's members and their roles" },
  'POST /api/v1/admin/tenants/:tenantId/members': {
    summary: 'Tenant admins: invite an email address (202, the same answer whether it has an account; a member only once the invitee accepts). Platform admins: add an existing user, or a new one with a password (201)',
    body: addMemberSchema,
  },
  'GET /api/v1/admin/tenants/:tenantId/invitations': { summary: "The tenant's pending invitations (never their tokens)" },
  'DELETE /api/v1/admin/tenants/:tenantId/invitations/:invitationId': { summary: 'Withdraw a pending invitation' },
  'POST /api/v1/auth/invitations/accept': { summary: "Accept an invitation with its token: a new address sets its password, an existing account confirms with its own", body: acceptInvitationSchema },
  'PATCH /api/v1/admin/tenants/:tenantId/members/:userId': { summary: "Change a member's role", body: memberRoleSchema },
  'DELETE /api/v1/admin/tenants/:tenantId/members/:userId': { summary: 'Remove a member from the tenant' },
  'PATCH /api/v1/admin/users/:userId': { summary: 'Disable (or enable again) a user account: disabling ends its sessions and event streams everywhere and refuses sign-in', body: userStatusSchema },
  'GET /api/v1/admin/jobs/dead': { summary: 'Jobs that used up their retries, newest first (?tenantId=, cursor pagination)' },
  'POST /api/v1/admin/jobs/dead/:id/retry': { summary: 'Run a dead job again from its first attempt' },
  'DELETE /api/v1/admin/jobs/dead/:id': { summary: 'Give up on a dead job for good (its job id may be enqueued again)' },
};
