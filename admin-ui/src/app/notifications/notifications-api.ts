import { Injectable, inject } from '@angular/core';
import { ApiClient } from '../api/api-client';
import type { ApiRequestBody, ApiResponse } from '../api/api-types';

// The notifications plugin's API (docs/notifications.md), typed for the console's pages.
const BASE = '/api/v1/notifications';

export const CHANNELS = ['email', 'inbox', 'webhook', 'slack'] as const;
export type ChannelName = (typeof CHANNELS)[number];
export type DeliveryStatus = Delivery['status'];
/** Every status, for the delivery log's filter: `satisfies` fails the build when the server's enum gains or loses one. */
const statusOrder = { queued: 0, sending: 1, sent: 2, failed: 3, dead: 4, suppressed: 5, held: 6, digested: 7 } satisfies Record<DeliveryStatus, number>;
export const DELIVERY_STATUSES = Object.keys(statusOrder) as DeliveryStatus[];

/** Human names of channels, the same on every page. */
export const CHANNEL_LABELS: Readonly<Record<ChannelName, string>> = { email: 'Email', inbox: 'In-app inbox', webhook: 'Webhook', slack: 'Slack' };

export interface Preferences {
  readonly timeZone: string | null;
  readonly locale: string | null;
  readonly quietHours: { readonly start: string; readonly end: string } | null;
  readonly channels: readonly { readonly category: string; readonly channel: string; readonly enabled: boolean }[];
}

export interface CategorySummary {
  readonly category: string;
  readonly workflows: readonly { readonly name: string; readonly critical: boolean; readonly channels: readonly string[] }[];
}

/** A workflow as the server declares it (the workflow routes' response schema). */
export type Workflow = ApiResponse<'/api/v1/notifications/workflows/{workflowId}', 'get'>;
export type RecipientRule = Workflow['recipients'][number];
/** What creating a workflow sends (the same fields, the id included). */
export type NewWorkflow = ApiRequestBody<'/api/v1/notifications/workflows', 'post'>;

export interface Template {
  readonly key: string;
  readonly locale: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string | null;
  readonly source: 'tenant' | 'default';
}

export interface TemplateParts {
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
}

export interface Rendered {
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/** A delivery as the server declares it (plugins/notifications delivery.ts, through the route's response schema). */
export type Delivery = ApiResponse<'/api/v1/notifications/deliveries/{id}', 'get'>;
export type DeliveryAttempt = Delivery['attempts'][number];
export type DeliveryPage = ApiResponse<'/api/v1/notifications/deliveries', 'get'>;

export interface DeliveryFilter {
  readonly status?: string;
  readonly channel?: string;
  readonly recipient?: string;
}

export interface ChannelState {
  readonly channel: ChannelName;
  readonly configured: boolean;
  readonly fallback?: boolean;
}

@Injectable({ providedIn: 'root' })
export class NotificationsApi {
  private readonly api = inject(ApiClient);

  preferences(): Promise<Preferences> {
    return this.api.get(`${BASE}/preferences`);
  }
  savePreferences(prefs: Partial<Preferences>): Promise<Preferences> {
    return this.api.put(`${BASE}/preferences`, prefs);
  }
  categories(): Promise<{ items: CategorySummary[] }> {
    return this.api.get(`${BASE}/categories`);
  }

  channels(): Promise<{ items: ChannelState[] }> {
    return this.api.get(`${BASE}/channels`);
  }
  testChannel(channel: ChannelName): Promise<Delivery> {
    return this.api.post(`${BASE}/channels/test`, { channel });
  }

  workflows(): Promise<{ items: Workflow[] }> {
    return this.api.get(`${BASE}/workflows`);
  }
  defaultWorkflows(): Promise<{ items: Workflow[] }> {
    return this.api.get(`${BASE}/workflows/defaults`);
  }
  saveWorkflow(workflow: Workflow): Promise<Workflow> {
    const { id, ...body } = workflow;
    return this.api.put(`${BASE}/workflows/${encodeURIComponent(id)}`, body);
  }
  createWorkflow(workflow: NewWorkflow): Promise<Workflow> {
    return this.api.post(`${BASE}/workflows`, workflow);
  }
  deleteWorkflow(id: string): Promise<void> {
    return this.api.delete(`${BASE}/workflows/${encodeURIComponent(id)}`);
  }
  restoreDefaults(ids?: readonly string[]): Promise<{ items: Workflow[] }> {
    return this.api.post(`${BASE}/workflows/restore-defaults`, ids ? { ids } : {});
  }

  templates(): Promise<{ items: Template[] }> {
    return this.api.get(`${BASE}/templates`);
  }
  saveTemplate(key: string, locale: string, parts: TemplateParts): Promise<Template> {
    return this.api.put(`${BASE}/templates/${encodeURIComponent(key)}/${encodeURIComponent(locale)}`, parts);
  }
  deleteTemplate(key: string, locale: string): Promise<void> {
    return this.api.delete(`${BASE}/templates/${encodeURIComponent(key)}/${encodeURIComponent(locale)}`);
  }
  preview(key: string, locale: string, parts: TemplateParts, signal?: AbortSignal): Promise<Rendered> {
    return this.api.post(`${BASE}/templates/preview`, { key, locale, ...parts }, undefined, signal);
  }

  deliveries(filter: DeliveryFilter, cursor?: string): Promise<DeliveryPage> {
    return this.api.get(`${BASE}/deliveries`, { ...filter, cursor, limit: 50 });
  }
  retry(id: string): Promise<Delivery> {
    return this.api.post(`${BASE}/deliveries/${encodeURIComponent(id)}/retry`);
  }
}
