/**
 * Carries "tenant X's plugin set changed" between host instances so each drops its cached copy. `undefined`
 * means "reload everything" (sent after a reconnect, since messages may have been missed meanwhile).
 *
 * The same feed carries access changes (`user:<id>`, `session:<id>`, `api-key:<id>`; see `auth/access-changes.ts`):
 * the message is a tenant id or one of those, which no tenant id can be.
 */
export interface ChangeFeed {
  publish(tenantId: string): Promise<void>;
  subscribe(onChange: (tenantId: string | undefined) => void): Promise<void>;
  close(): Promise<void>;
}
