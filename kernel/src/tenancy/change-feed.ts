/**
 * Carries "tenant X's plugin set changed" between host instances so each drops its cached copy. `undefined`
 * means "reload everything" (sent after a reconnect, since messages may have been missed meanwhile).
 */
export interface ChangeFeed {
  publish(tenantId: string): Promise<void>;
  subscribe(onChange: (tenantId: string | undefined) => void): Promise<void>;
  close(): Promise<void>;
}
