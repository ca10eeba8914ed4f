import { randomUUID } from 'node:crypto';
import { respond, type AuditLog, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { NotificationDispatcher } from '../delivery/notification-dispatcher';
import type { ChannelName } from '../workflows/workflow';
import { notificationSchemas as s } from './notification-schemas';

interface SendBody {
  to: ({ userId: string } | { email: string })[];
  category: string;
  channels?: ChannelName[];
  template?: string;
  subject?: string;
  body?: string;
  data?: Record<string, unknown>;
  critical?: boolean;
  link?: string;
}

/** `POST /api/v1/notifications/send`: the direct API for plugins and integrators. */
export function createSendRoutes(dispatcher: NotificationDispatcher, audit: AuditLog): RouteDefinition[] {
  const send: RouteDefinition<SendBody> = {
    method: 'POST',
    path: '/notifications/send',
    summary: 'Send a notification to users or addresses, with a template or a subject and body (Idempotency-Key supported)',
    minRole: 'member',
    idempotency: 'optional',
    schema: { body: { ...s.send, oneOf: [{ required: ['template'] }, { required: ['subject', 'body'] }] } },
    handler: async (request) => {
      const body = request.body;
      // Only admins may bypass preferences and quiet hours.
      const critical = body.critical === true && (request.user.role === 'tenant-admin' || request.user.role === 'platform-admin');
      const messageId = randomUUID();
      const result = await dispatcher.dispatch(request.tenant.id, {
        eventId: `send:${messageId}`,
        recipients: body.to,
        channels: body.channels ?? ['email', 'inbox'],
        category: body.category,
        critical,
        template: body.template ?? 'direct',
        data: body.template ? (body.data ?? {}) : { ...body.data, subject: body.subject, body: body.body },
        link: body.link,
      });
      await audit.record({ action: 'notification.sent', target: messageId, after: { category: body.category, critical, deliveries: result.deliveries.length } });
      return respond(202, { id: messageId, critical, deliveries: result.deliveries });
    },
  };
  return [send];
}
