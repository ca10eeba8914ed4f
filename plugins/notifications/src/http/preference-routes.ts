import type { RouteDefinition } from '@valueverse/plugin-sdk';
import type { Preferences, PreferenceStore } from '../preferences/preference-store';
import { checkTimeZone } from './check-time-zone';
import { notificationSchemas as s } from './notification-schemas';

/** The caller's notification preferences under `/api/v1/notifications/preferences`. */
export function createPreferenceRoutes(preferences: PreferenceStore): RouteDefinition[] {
  const get: RouteDefinition = {
    method: 'GET',
    path: '/notifications/preferences',
    summary: "The caller's time zone, locale, quiet hours and per-category, per-channel choices",
    handler: async (request) => {
      if (request.user.kind === 'user') await preferences.remember(request.tenant.id, request.user);
      return preferences.get(request.tenant.id, request.user.id);
    },
  };
  const put: RouteDefinition<Partial<Preferences>> = {
    method: 'PUT',
    path: '/notifications/preferences',
    summary: "Change the caller's preferences (fields left out are kept; channels are merged by category and channel)",
    minRole: 'viewer',
    schema: { body: s.preferences },
    handler: async (request) => {
      if (request.body.timeZone) checkTimeZone(request.body.timeZone, '/timeZone');
      if (request.user.kind === 'user') await preferences.remember(request.tenant.id, request.user);
      return preferences.put(request.tenant.id, request.user.id, request.body);
    },
  };
  return [get, put];
}
