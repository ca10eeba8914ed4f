import { Injectable, inject } from '@angular/core';
import { ApiClient } from '../api/api-client';

// The notifications plugin's API (docs/notifications.md), typed for the console's pages.
const BASE = '/api/v1/notifications';

export const CHANNELS = ['email', 'inbox', 'webhook', 'slack'] as const;
export type ChannelName = (typeof CHANNELS)[number];
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'failed', 'dead', 'suppressed', 'held', 'digested'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

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

export type RecipientRule = { readonly userId: string } | { readonly role: string } | { readonly owner: true } | { readonly email: string } | { readonly emailFrom: string };

export interface Workflow {
  readonly id: string;
  readonly name: string;
  readonly eventPattern: string;
  readonly recipients: readonly RecipientRule[];
  readonly channels: readonly ChannelName[];
  readonly template: string;
  readonly category: string;
  readonly critical: boolean;
  readonly digestMinutes: number;
  readonly enabled: boolean;
}

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

export interface DeliveryAttempt {
  readonly at: string;
  readonly ok: boolean;
  readonly response: string;
  readonly server?: 'primary' | 'fallback';
  readonly host?: string;
}

export interface Delivery {
  readonly id: string;
  readonly eventId: string;
  readonly recipient: string;
  readonly channel: ChannelName;
  readonly category: string;
  readonly critical: boolean;
  readonly status: DeliveryStatus;
  readonly reason: string | null;
  readonly subject: string;
  readonly attempts: readonly DeliveryAttempt[];
  readonly releaseAt: string | null;
  readonly createdAt: string;
}

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

  deliveries(filter: DeliveryFilter, cursor?: string): Promise<{ items: Delivery[]; nextCursor: string | null }> {
    return this.api.get(`${BASE}/deliveries`, { ...filter, cursor, limit: 50 });
  }
  retry(id: string): Promise<Delivery> {
    return this.api.post(`${BASE}/deliveries/${encodeURIComponent(id)}/retry`);
  }
}
