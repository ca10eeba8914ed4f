import type { RouteDefinition } from '@valueverse/plugin-sdk';
import type { InboxStore } from '../inbox/inbox-store';
import type { PreferenceStore } from '../preferences/preference-store';
import { notificationSchemas as s } from './notification-schemas';

const itemParams = { type: 'object', required: ['itemId'], properties: { itemId: s.uuid } } as const;

interface InboxQuery {
  limit?: number;
  cursor?: string;
  archived?: boolean;
}

/** The caller's own inbox under `/api/v1/notifications/inbox`. */
export function createInboxRoutes(inbox: InboxStore, preferences: PreferenceStore): RouteDefinition[] {
  const list: RouteDefinition<unknown, InboxQuery> = {
    method: 'GET',
    path: '/notifications/inbox',
    summary: "The caller's inbox, newest first, with the unread count",
    schema: {
      query: {
        type: 'object',
        additionalProperties: false,
        properties: {
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 30 },
          cursor: { type: 'string', maxLength: 500 },
          archived: { type: 'boolean', default: false },
        },
      },
    },
    handler: async (request) => {
      // Who the caller is (email, role) is learned here: it is how workflows reach them by role and by email.
      if (request.user.kind === 'user') await preferences.remember(request.tenant.id, request.user);
      return inbox.list(request.tenant.id, request.user.id, request.query);
    },
  };
  const read: RouteDefinition = {
    method: 'POST',
    path: '/notifications/inbox/:itemId/read',
    summary: 'Mark one inbox item read',
    minRole: 'viewer',
    schema: { params: itemParams },
    handler: (request) => inbox.markRead(request.tenant.id, request.user.id, request.params.itemId!),
  };
  const archive: RouteDefinition = {
    method: 'POST',
    path: '/notifications/inbox/:itemId/archive',
    summary: 'Archive one inbox item (and mark it read)',
    minRole: 'viewer',
    schema: { params: itemParams },
    handler: (request) => inbox.archive(request.tenant.id, request.user.id, request.params.itemId!),
  };
  const readAll: RouteDefinition = {
    method: 'POST',
    path: '/notifications/inbox/read-all',
    summary: "Mark every item of the caller's inbox read",
    minRole: 'viewer',
    handler: async (request) => ({ marked: await inbox.markAllRead(request.tenant.id, request.user.id) }),
  };
  return [list, readAll, read, archive];
}
