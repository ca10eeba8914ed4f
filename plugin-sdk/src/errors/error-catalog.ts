/**
 * The one error catalog of ValueVerse. Every code has an HTTP status, a title, a message template and a documented
 * meaning; codes are never reused or renamed (clients and plugins match on them).
 * `error-catalog.test.ts` checks that every code is complete and documented in `docs/errors.md`.
 */
export interface ErrorCatalogEntry {
  /** HTTP status sent with the problem+json body. */
  readonly status: number;
  /** Short, stable, human title (RFC 9457 `title`). */
  readonly title: string;
  /** Default `detail`; `{name}` placeholders are filled from the error's `params`. */
  readonly message: string;
  /** What the code means and what a client should do about it. */
  readonly meaning: string;
}

const catalog = {
  VV_MANIFEST_INVALID: {
    status: 422,
    title: 'Plugin manifest invalid',
    message: 'Manifest of plugin "{plugin}" is invalid: {problems}',
    meaning: 'plugin.json failed schema validation; every problem is listed with its JSON pointer.',
  },
  VV_KERNEL_INCOMPATIBLE: {
    status: 422,
    title: 'Plugin built for another kernel',
    message: 'Plugin "{plugin}" requires kernel {range} but this kernel is {kernelVersion}',
    meaning: 'The manifest `kernel` range does not include the running kernel version.',
  },
  VV_PLUGIN_CYCLE: {
    status: 422,
    title: 'Plugin dependency cycle',
    message: 'Plugins form a dependency cycle: {cycle}',
    meaning: 'The required plugins form a cycle; the whole cycle is named. None of them can start.',
  },
  VV_PLUGIN_MISSING_DEPENDENCY: {
    status: 409,
    title: 'Plugin dependency missing',
    message: 'Plugin "{plugin}" requires "{dependency}" {range}: {reason}',
    meaning: 'A required plugin is absent, at an incompatible version, or (per tenant) not enabled.',
  },
  VV_PLUGIN_SETUP_TIMEOUT: {
    status: 503,
    title: 'Plugin lifecycle timeout',
    message: 'Plugin "{plugin}" did not finish {phase} within {timeoutMs} ms',
    meaning: 'A lifecycle phase (setup, start or stop) exceeded its timeout; the plugin is marked failed.',
  },
  VV_PLUGIN_FAILED: {
    status: 503,
    title: 'Plugin unavailable',
    message: 'Plugin "{plugin}" is {state}: {reason}',
    meaning: 'The plugin that owns this route failed or is blocked by a failed dependency. Retry later.',
  },
  VV_PLUGIN_NOT_ENABLED: {
    status: 404,
    title: 'Plugin not enabled',
    message: 'Plugin "{plugin}" is not enabled for tenant "{tenant}"',
    meaning: 'The route exists but its plugin is disabled for the current tenant.',
  },
  VV_PLUGIN_UNKNOWN: {
    status: 404,
    title: 'Plugin unknown',
    message: 'No plugin "{plugin}" is installed',
    meaning: 'The plugin id does not name an installed plugin.',
  },
  VV_ROUTE_CONFLICT: {
    status: 409,
    title: 'Route conflict',
    message: 'Route prefix "{prefix}" of plugin "{plugin}" conflicts with "{otherPrefix}" of "{otherPlugin}"',
    meaning: 'Two plugins claim overlapping route prefixes, or a plugin registers a route outside its prefixes.',
  },
  VV_PLUGIN_IN_USE: {
    status: 409,
    title: 'Plugin in use',
    message: 'Plugin "{plugin}" is enabled for tenants {tenants}; disable it for them first or pass ?force=true',
    meaning: 'An uninstall was refused because tenants have the plugin enabled (`extensions.tenants`); `?force=true` disables it for them (audited).',
  },
  VV_DOWNGRADE_REFUSED: {
    status: 409,
    title: 'Downgrade refused',
    message: 'Plugin "{plugin}" {version} does not know migrations {migrations} that are applied: {reason}',
    meaning: 'Installing this version would leave newer migrations applied; only the roll-back to the previous version reverts them (its `down` steps).',
  },
  VV_MIGRATION_FAILED: {
    status: 422,
    title: 'Plugin migration failed',
    message: 'Migrating plugin "{plugin}" to {version} failed: {reason}',
    meaning: 'A migration of the package failed; its transaction was rolled back, nothing was installed and the running version keeps serving.',
  },
  VV_PERMISSION_NOT_APPROVED: {
    status: 422,
    title: 'Permission not approved',
    message: 'Plugin "{plugin}" asks for {permissions}, outside its own namespace; an operator must approve them (approvePermissions)',
    meaning: 'An installed package may publish events only in its own namespace unless an operator approves the other patterns it declares at install.',
  },
  VV_PACKAGE_UNKNOWN: {
    status: 404,
    title: 'Package unknown',
    message: 'No package "{package}" in this registry',
    meaning: 'The marketplace registry has no package with this id, or no such version of it.',
  },
  VV_PACKAGE_VERSION_EXISTS: {
    status: 409,
    title: 'Package version exists',
    message: 'Version {version} of "{package}" is already published',
    meaning: 'Published versions never change: publish the change under a new version (a yanked version keeps its number too).',
  },
  VV_PACKAGE_ID_TAKEN: {
    status: 403,
    title: 'Package id taken',
    message: 'The plugin id "{package}" belongs to another publisher',
    meaning: 'The first publisher to publish a plugin id owns it in that registry; choose another id.',
  },
  VV_PUBLISHER_UNKNOWN: {
    status: 404,
    title: 'Publisher unknown',
    message: 'No publisher "{publisher}" in this registry',
    meaning: 'The marketplace registry has no publisher with this id.',
  },
  VV_SIGNING_KEY_UNKNOWN: {
    status: 404,
    title: 'Signing key unknown',
    message: 'Publisher "{publisher}" has no signing key "{keyId}"',
    meaning: "The key id does not name one of this publisher's Ed25519 keys in the registry.",
  },
  VV_SERVICE_NOT_DECLARED: {
    status: 500,
    title: 'Service not declared',
    message: 'Plugin "{plugin}" asked for service "{service}" that its manifest does not justify: {reason}',
    meaning: 'A plugin depends on a service ref without the matching requires/optional/permissions entry.',
  },
  VV_SERVICE_UNKNOWN: {
    status: 500,
    title: 'Service unknown',
    message: 'No service "{service}" is registered (asked for by "{plugin}")',
    meaning: 'A service ref was requested that no plugin provides and the kernel does not know.',
  },
  VV_CONFIG_INVALID: {
    status: 422,
    title: 'Configuration invalid',
    message: 'Configuration of {subject} is invalid: {problems}',
    meaning: 'Environment configuration at boot, or a plugin config for a tenant, failed validation.',
  },
  VV_UNAUTHENTICATED: {
    status: 401,
    title: 'Authentication required',
    message: '{reason}',
    meaning: 'No valid credentials: missing, malformed, expired or forged token, or wrong password.',
  },
  VV_MFA_REQUIRED: {
    status: 401,
    title: 'Second factor required',
    message: 'This account has a second factor: send the current one-time code as `totp`',
    meaning: 'The password was right and the user has TOTP on; sign in again with the code from the authenticator app.',
  },
  VV_FORBIDDEN: {
    status: 403,
    title: 'Forbidden',
    message: '{reason}',
    meaning: 'The caller is authenticated but its role does not allow this action.',
  },
  VV_TENANT_UNKNOWN: {
    status: 404,
    title: 'Tenant unknown',
    message: 'Tenant "{tenant}" does not exist or is not accessible',
    meaning: 'The tenant id does not exist, or the caller is not a member of it.',
  },
  VV_TENANT_SUSPENDED: {
    status: 403,
    title: 'Tenant suspended',
    message: 'Tenant "{tenant}" is suspended',
    meaning: 'The tenant exists but is suspended; only platform admins may act on it.',
  },
  VV_VALIDATION: {
    status: 400,
    title: 'Validation failed',
    message: '{reason}',
    meaning: 'The request body, query or parameters are invalid; `errors` lists each problem with its JSON pointer.',
  },
  VV_NOT_FOUND: {
    status: 404,
    title: 'Not found',
    message: '{reason}',
    meaning: 'No resource at this path, or no resource with this id in the current tenant.',
  },
  VV_CONFLICT: {
    status: 409,
    title: 'Conflict',
    message: '{reason}',
    meaning: 'The request conflicts with the current state (duplicate, dependants still enabled, stale version).',
  },
  VV_IDEMPOTENCY_KEY_REUSED: {
    status: 422,
    title: 'Idempotency key reused',
    message: 'This Idempotency-Key was already used for a different request',
    meaning: 'The key was sent before with another method, path, query or body; use a new key for a new operation.',
  },
  VV_RATE_LIMITED: {
    status: 429,
    title: 'Rate limited',
    message: 'Too many requests; retry after {retryAfter} s',
    meaning: 'The tenant or API key exceeded its rate limit, or the tenant has too many evaluations waiting for the compute pool; `Retry-After` says when to retry.',
  },
  VV_QUOTA_EXCEEDED: {
    status: 409,
    title: 'Quota exceeded',
    message: 'Tenant "{tenant}" reached its quota of {limit} {what}',
    meaning: 'A tenant setting (`quotas.maxUsers`, `quotas.maxApiKeys`) caps this; raise it in the tenant settings or remove some first.',
  },
  VV_DEPENDENCY_UNAVAILABLE: {
    status: 503,
    title: 'Dependency unavailable',
    message: '{dependency} is unavailable: {reason}',
    meaning: 'A backing service (database, Redis, AI provider, payment provider) failed or timed out.',
  },
  VV_NO_SOLUTION: {
    status: 422,
    title: 'No solution',
    message: '{reason}',
    meaning: 'A calculation has no solution for the inputs (e.g. cash flows without a sign change have no IRR).',
  },
  VV_PAYLOAD_TOO_LARGE: {
    status: 413,
    title: 'Payload too large',
    message: 'Request body exceeds {limit}',
    meaning: 'The request body is larger than the kernel accepts.',
  },
  VV_UNAVAILABLE: {
    status: 503,
    title: 'Service unavailable',
    message: '{dependency} is unavailable; retry after {retryAfter} s',
    meaning:
      'A connection-class failure of a backing store (database unreachable, connection terminated, pool exhausted; the job queue while Redis is down). `Retry-After` says when to retry. A write answered this way may still have been applied before the connection broke: retry with the same `Idempotency-Key` where the route takes one.',
  },
  VV_COMPUTE_BUDGET_EXCEEDED: {
    status: 422,
    title: 'Compute budget exceeded',
    message: 'This evaluation exceeds the compute budget {budget}: {reason}',
    meaning:
      "The estimated or measured cost of an evaluation (model, sensitivity, scenario, goal seek, simulation) is over the tenant's budget (`calculation.computeBudgetMs`); make the model smaller or ask an admin to raise the budget.",
  },
  VV_AGENT_TOKEN_BUDGET_EXCEEDED: {
    status: 429,
    title: 'Agent token budget exceeded',
    message: "The value agent used {used} of this tenant's {budget} tokens for {month}: {reason}",
    meaning:
      "The tenant's value agent has used its monthly token budget (`value-agent.monthlyTokenBudget`); no further model calls are made this month. A tenant admin can raise the budget.",
  },
  VV_PLUGIN_BUDGET_EXCEEDED: {
    status: 503,
    title: 'Plugin budget exceeded',
    message: 'Plugin "{plugin}" exceeded its {budget} budget: {reason}',
    meaning:
      'A sandboxed plugin went over a budget (CPU time of one call, memory, concurrent calls) or its sandbox crashed; the call was stopped and the sandbox restarts with backoff. `Retry-After` says when to retry.',
  },
  VV_TOO_MANY_ATTEMPTS: {
    status: 429,
    title: 'Too many attempts',
    message: 'Too many failed attempts; retry after {retryAfter} s',
    meaning: 'Sign-in, second-factor or code checks failed too often for this account or client address; `Retry-After` says when the temporary lockout ends.',
  },
  VV_TOO_MANY_STREAMS: {
    status: 429,
    title: 'Too many event streams',
    message: 'This principal already has {limit} open event streams',
    meaning: 'Event streams are capped per user or API key; close one before opening another.',
  },
  VV_OUTBOUND_REFUSED: {
    status: 422,
    title: 'Outbound destination refused',
    message: 'Outbound call to {destination} refused: {reason}',
    meaning:
      "The destination is not in the plugin's `http.outbound` allowlist, or resolves to a link-local, metadata, loopback or (unless the operator allows it) private address.",
  },
  VV_SECRET_REQUIRED: {
    status: 422,
    title: 'Secret must be sent again',
    message: 'Changing {fields} requires sending {secret} again',
    meaning: 'A secret is bound to the destination fields it is sent to; a change of destination must carry the secret itself, not the masked placeholder.',
  },
  VV_UPSTREAM_FAILED: {
    status: 502,
    title: 'Upstream call failed',
    message: '{service} answered with an error ({reason})',
    meaning: 'An outside service (AI provider, payment provider, webhook receiver) failed; its answer is logged, never reflected to the caller.',
  },
  VV_READING_DECREASED: {
    status: 422,
    title: 'Cumulative reading decreased',
    message: 'Metric "{metric}" is cumulative: {value} is below the previous reading {previous} on {previousDate}',
    meaning: 'A cumulative metric cannot fall; send a higher reading, or record it as a correction with a reason.',
  },
  VV_CORRELATION_INVALID: {
    status: 422,
    title: 'Correlation matrix invalid',
    message: '{reason}',
    meaning: "The model's `correlations` name unknown or duplicate driver pairs, lie outside −1..1, or do not form a positive semi-definite matrix.",
  },
  VV_PACKAGE_INVALID: {
    status: 400,
    title: 'Plugin package invalid',
    message: 'Not a valid plugin package: {reason}',
    meaning:
      'The file is not a plugin package: not a gzip tar, no MANIFEST.json, plugin.json or package.json, an entry outside `package/` or with `..`, an absolute path, a symlink, hard link or device, or over the limits (20 MB packed, 100 MB unpacked, 5,000 entries).',
  },
  VV_PACKAGE_MODIFIED: {
    status: 422,
    title: 'Plugin package modified',
    message: 'Plugin package was modified after packing: {reason}',
    meaning:
      'A file was added, removed or changed after the package was packed (it is not in MANIFEST.json, missing, or its SHA-256 differs), or the plugin id or version in MANIFEST.json differs from plugin.json or package.json. Pack and sign it again.',
  },
  VV_SIGNATURE_INVALID: {
    status: 422,
    title: 'Package signature invalid',
    message: 'Plugin package signature is invalid: {reason}',
    meaning:
      'The package is unsigned (refused unless the operator allows unsigned plugins), or its Ed25519 signature does not verify with the key it names: the signed manifest changed, or it was signed with another key.',
  },
  VV_SIGNER_UNTRUSTED: {
    status: 422,
    title: 'Package signer not trusted',
    message: 'Plugin package is signed by an untrusted key: {reason}',
    meaning: 'The package is signed by a key (`keyId`) that this deployment (or, when publishing, this publisher) does not trust. Add the public key to the trusted keys first.',
  },
  VV_BILLING_USAGE_LATE: {
    status: 422,
    title: 'Usage event too late',
    message: 'Usage events older than the grace window ({graceHours} hours) are refused: {events}',
    meaning:
      "An event's timestamp is further back than the tenant's billing grace window (`usageGraceHours`); nothing in the request was stored. Send recent usage, or have a tenant admin widen the window.",
  },
  VV_BILLING_PAYMENTS_NOT_CONFIGURED: {
    status: 409,
    title: 'Payments not configured',
    message: 'Stripe is not configured for tenant "{tenant}"',
    meaning:
      "The billing plugin's `stripeSecretKey` (and, for webhooks, `stripeWebhookSecret`) is not set for the tenant: metering, pricing and invoicing work, paying does not. A tenant admin sets them in the plugin's configuration.",
  },
  VV_BILLING_WEBHOOK_SIGNATURE_INVALID: {
    status: 400,
    title: 'Webhook signature invalid',
    message: 'The Stripe-Signature header does not verify: {reason}',
    meaning:
      'A Stripe webhook whose signature is missing, stale or not made with the webhook secret configured for the tenant; nothing was changed. Stripe retries deliveries that fail.',
  },
  VV_PRIVACY_HANDLERS_MISSING: {
    status: 503,
    title: 'Privacy handlers missing',
    message: 'Plugin "{plugin}" declares personalData but registered no privacy handlers',
    meaning:
      'A plugin whose manifest says `"personalData": true` did not call `registrar.privacy(…)` in setup; the kernel does not start it, because its data could not be exported, erased or purged.',
  },
  VV_EXPORT_UNKNOWN: {
    status: 404,
    title: 'Export unknown',
    message: 'Export {exportId} of tenant {tenant} does not exist or its download expired',
    meaning: 'The export id names no export of this tenant, or its download window ended (the archive is deleted then). Start a new export.',
  },
  VV_EXPORT_NOT_READY: {
    status: 409,
    title: 'Export not ready',
    message: 'Export {exportId} is {state}',
    meaning: "The export's archive is still being built (or the build failed); poll the export until its `state` is `ready`.",
  },
  VV_IMPORT_INVALID: {
    status: 400,
    title: 'Import archive invalid',
    message: 'The archive cannot be imported: {reason}',
    meaning:
      'The uploaded file is not a tenant export: not a gzip tar, no manifest.json, a file missing, or a SHA-256 or row count differing from the manifest. Nothing was imported.',
  },
  VV_IMPORT_TENANT_NOT_EMPTY: {
    status: 409,
    title: 'Tenant not empty',
    message: 'Tenant {tenant} already holds data ({what}); an export imports only into an empty tenant',
    meaning: 'An import restores a tenant as it was exported, so it is refused where plugin data, members or audit entries exist already. Create a new tenant and import into it.',
  },
  VV_ERASURE_SUBJECT_UNKNOWN: {
    status: 404,
    title: 'Person unknown',
    message: 'No person {subject} in tenant {tenant}',
    meaning: 'The user id or email of an erasure request names no member of the tenant (or a platform admin erased them already).',
  },
  VV_PRIVACY_UNAVAILABLE: {
    status: 503,
    title: 'Data lifecycle unavailable',
    message: 'Exports, erasures and retention need the database',
    meaning: 'The deployment runs without PostgreSQL (in-memory stores): there is nothing durable to export, erase or expire.',
  },
  VV_NOTIFICATIONS_CHANNEL_NOT_CONFIGURED: {
    status: 409,
    title: 'Notification channel not configured',
    message: 'The {channel} channel is not configured for tenant "{tenant}"',
    meaning:
      "The notifications plugin's settings for the channel are missing (email: `email.smtp.host` and `email.from`; webhook: `webhook.url` and `webhook.secret`; Slack: `slack.webhookUrl`). A tenant admin sets them in the plugin's configuration.",
  },
  VV_NOTIFICATIONS_EVENT_PATTERN_INVALID: {
    status: 400,
    title: 'Event pattern invalid',
    message: 'The event pattern "{pattern}" is not an event name or a prefix ending in *',
    meaning:
      'A notification workflow matches events by name (`billing.invoice.paid`), by a prefix ending in `*` (`billing.*`) or by `*` alone: lower-case letters, digits, `.`, `_` and `-`, up to 128 characters, with `*` only at the end.',
  },
  VV_NOTIFICATIONS_TEMPLATE_UNKNOWN: {
    status: 422,
    title: 'Notification template unknown',
    message: 'No notification template "{template}" in tenant "{tenant}"',
    meaning:
      'The workflow names a template key that is neither built in nor saved by the tenant. Save the template first (`POST /api/v1/notifications/templates`), or pick one from `GET /api/v1/notifications/templates`.',
  },
  VV_NOTIFICATIONS_RECIPIENTS_MISSING: {
    status: 422,
    title: 'Workflow has no recipients',
    message: 'The workflow "{workflow}" notifies nobody',
    meaning:
      'A notification workflow needs at least one recipient rule: a user, a role, the owner of the object, an external address or an address field of the event. Each rule names one of them.',
  },
  VV_NOTIFICATIONS_UNSUBSCRIBE_INVALID: {
    status: 400,
    title: 'Unsubscribe link invalid',
    message: 'The unsubscribe link is invalid or was not made for this tenant',
    meaning:
      'The token of an unsubscribe link does not verify (altered, truncated, or signed for another tenant); nothing was changed. Use the link from the email as it was sent, or change preferences after signing in.',
  },
  VV_SHARE_LINK_INVALID: {
    status: 404,
    title: 'Share link invalid',
    message: 'This share link is not valid',
    meaning:
      'The token of a business-case share link does not verify (altered, truncated, or made for another tenant), or names no link. Ask the person who shared it for a new link.',
  },
  VV_SHARE_LINK_EXPIRED: {
    status: 410,
    title: 'Share link expired',
    message: 'This share link expired on {expiredAt}',
    meaning: 'The share link was valid but its expiry (chosen when it was created) has passed. Ask the person who shared it for a new link.',
  },
  VV_SHARE_LINK_REVOKED: {
    status: 410,
    title: 'Share link revoked',
    message: 'This share link was revoked',
    meaning: 'An editor of the model revoked the share link; it no longer opens the business case. Ask the person who shared it for a new link.',
  },
  VV_TOTP_RECOVERY_CODE_INVALID: {
    status: 401,
    title: 'Recovery code invalid',
    message: 'The recovery code is not valid or was used already',
    meaning:
      'A sign-in gave a TOTP recovery code that is not one of the account’s unused codes. Each code works once; failed attempts count towards the sign-in attempt limits. Sign in with an authenticator code, or ask an admin to reset two-factor authentication.',
  },
  VV_TENANT_LOGO_NOT_A_SETTING: {
    status: 400,
    title: 'Logo is not a tenant setting',
    message: 'The logo of tenant "{tenant}" is set with PUT /api/v1/admin/tenants/{tenant}/branding, not in its settings',
    meaning:
      'A tenant create or update gave `settings.branding.logo`. The logo is kept apart from the tenant (so tenant lists do not carry it): set or clear it with `PUT /api/v1/admin/tenants/:tenantId/branding`, which checks the image. Colours may still be given in `settings.branding`.',
  },
  VV_SHUTTING_DOWN: {
    status: 503,
    title: 'Shutting down',
    message: 'This instance is shutting down; retry on another instance',
    meaning: 'The instance received SIGTERM and no longer accepts new requests.',
  },
  VV_INTERNAL: {
    status: 500,
    title: 'Internal error',
    message: 'An unexpected error occurred; quote request id {requestId} when reporting it',
    meaning: 'A bug. The details are logged with the request id, never sent to the client.',
  },
} as const satisfies Record<string, ErrorCatalogEntry>;

/** Every stable error code. */
export type ErrorCode = keyof typeof catalog;

/** The catalog, frozen: code → status, title, message template, meaning. */
export const errorCatalog: Readonly<Record<ErrorCode, ErrorCatalogEntry>> = Object.freeze(catalog);

/** True when `code` is a catalogued error code. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.prototype.hasOwnProperty.call(catalog, code);
}
