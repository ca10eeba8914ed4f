import type { EventEnvelope, Logger } from '@valueverse/plugin-sdk';
import type { NotificationDispatcher } from '../delivery/notification-dispatcher';
import type { WorkflowStore } from './workflow-store';

/**
 * Turns a platform event into notifications: every enabled workflow of the tenant whose pattern matches fans out,
 * keyed by the event's id (and the workflow's, so two workflows on one event are two notifications).
 */
export class WorkflowRunner {
  constructor(
    private readonly workflows: WorkflowStore,
    private readonly dispatcher: NotificationDispatcher,
    private readonly logger: Logger,
  ) {}

  async handle(event: EventEnvelope): Promise<void> {
    const matching = await this.workflows.matching(event.tenantId, event.name);
    for (const workflow of matching) {
      try {
        await this.dispatcher.dispatch(event.tenantId, {
          eventId: `${event.id}:${workflow.id}`,
          eventName: event.name,
          recipients: workflow.recipients,
          channels: workflow.channels,
          category: workflow.category,
          critical: workflow.critical,
          template: workflow.template,
          digestMinutes: workflow.digestMinutes,
          data: (event.payload ?? {}) as Record<string, unknown>,
        });
      } catch (error) {
        this.logger.error({ err: error, tenantId: event.tenantId, event: event.name, eventId: event.id, workflow: workflow.id }, 'notification workflow failed');
      }
    }
  }
}
