import { VvError } from '@valueverse/plugin-sdk';
import type { RecipientRule } from './workflow';

/** An event name, a prefix ending in `*` (`billing.*`), or `*` alone. */
const EVENT_PATTERN = /^(\*|[a-z0-9][a-z0-9_.-]{0,126}\*?)$/;

/**
 * Checks what the JSON schema cannot say with a stable code of its own, so the console (and an integrator's script)
 * can tell the mistakes apart: a malformed event pattern, and a workflow that notifies nobody. The schema checks
 * types and sizes first (VV_VALIDATION).
 */
export function checkWorkflow(workflow: { readonly id: string; readonly eventPattern: string; readonly recipients: readonly RecipientRule[] }): void {
  if (!EVENT_PATTERN.test(workflow.eventPattern)) {
    throw new VvError('VV_NOTIFICATIONS_EVENT_PATTERN_INVALID', {
      params: { pattern: workflow.eventPattern },
      errors: [{ pointer: '/eventPattern', in: 'body', message: 'is not an event name or a prefix ending in * (e.g. billing.*)' }],
    });
  }
  if (workflow.recipients.length === 0) {
    throw new VvError('VV_NOTIFICATIONS_RECIPIENTS_MISSING', {
      params: { workflow: workflow.id },
      errors: [{ pointer: '/recipients', in: 'body', message: 'names nobody: add a user, a role, the owner, an address or an address field' }],
    });
  }
}
