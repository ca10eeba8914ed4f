import type { OutboundHttp } from '@valueverse/plugin-sdk';
import { SmtpMailer, SmtpSendError, type SmtpSettings } from '../channels/smtp-mailer';
import { slackMessage } from '../channels/slack-message';
import { SIGNATURE_HEADER, signWebhook } from '../channels/webhook-signature';
import type { DeliveryAttempt, DeliveryRow } from './delivery';

/** The tenant's channel settings (plugin config, secrets decrypted). */
export interface ChannelSettings {
  readonly email?: { readonly from?: string; readonly smtp?: SmtpSettings; readonly fallbackSmtp?: SmtpSettings };
  readonly webhook?: { readonly url?: string; readonly secret?: string };
  readonly slack?: { readonly webhookUrl?: string };
}

/** Which channels a tenant has configured (the inbox always is). */
export function configuredChannels(settings: ChannelSettings): Set<string> {
  const set = new Set(['inbox']);
  if (settings.email?.smtp?.host && settings.email.from) set.add('email');
  if (settings.webhook?.url && settings.webhook.secret) set.add('webhook');
  if (settings.slack?.webhookUrl) set.add('slack');
  return set;
}

export class ChannelNotConfigured extends Error {}

/** A send that failed, with its attempts for the log. */
export class SendFailed extends Error {
  constructor(
    message: string,
    readonly attempts: readonly DeliveryAttempt[],
  ) {
    super(message);
  }
}

/**
 * Sends one delivery on its channel and returns the attempt log entries. Email goes through SMTP (primary, then
 * fallback); webhooks and Slack through the kernel's outbound service, so the destination is checked by the
 * operator's policy. Throws `SendFailed` with the attempts when the provider refuses.
 */
export class ChannelSenders {
  constructor(
    private readonly mailer: SmtpMailer,
    private readonly outbound: OutboundHttp,
    private readonly now: () => Date,
  ) {}

  async send(tenantId: string, settings: ChannelSettings, delivery: DeliveryRow): Promise<DeliveryAttempt[]> {
    const at = this.now().toISOString();
    switch (delivery.channel) {
      case 'email':
        return this.email(tenantId, settings, delivery, at);
      case 'webhook':
        return [await this.webhook(tenantId, settings, delivery, at)];
      case 'slack':
        return [await this.slack(tenantId, settings, delivery, at)];
      default:
        throw new ChannelNotConfigured(`channel ${delivery.channel} is not sent by a job`);
    }
  }

  private async email(tenantId: string, settings: ChannelSettings, delivery: DeliveryRow, at: string): Promise<DeliveryAttempt[]> {
    const email = settings.email;
    if (!email?.smtp?.host || !email.from || !delivery.content.to) throw new ChannelNotConfigured('email is not configured (email.smtp.host, email.from)');
    const { content } = delivery;
    const headers: Record<string, string> = { 'X-ValueVerse-Delivery': delivery.id };
    if (content.unsubscribeUrl) {
      // RFC 8058 one-click unsubscribe: mail clients POST to the link.
      headers['List-Unsubscribe'] = `<${content.unsubscribeUrl}>`;
      headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
    }
    try {
      const sent = await this.mailer.send(
        tenantId,
        { from: email.from, to: content.to!, subject: content.subject, text: content.text, html: content.html, messageId: `<${delivery.id}@notifications.valueverse>`, headers },
        email.smtp,
        email.fallbackSmtp?.host ? email.fallbackSmtp : undefined,
      );
      return sent.attempts.map((a) => ({ at, ok: a.ok, response: a.response, server: a.server, host: a.host }));
    } catch (error) {
      if (error instanceof SmtpSendError) {
        throw new SendFailed(
          error.message,
          error.attempts.map((a) => ({ at, ok: false, response: a.response, server: a.server, host: a.host })),
        );
      }
      throw error;
    }
  }

  private async webhook(tenantId: string, settings: ChannelSettings, delivery: DeliveryRow, at: string): Promise<DeliveryAttempt> {
    const hook = settings.webhook;
    if (!hook?.url || !hook.secret) throw new ChannelNotConfigured('webhook is not configured (webhook.url, webhook.secret)');
    const body = JSON.stringify({
      id: delivery.id,
      eventId: delivery.event_id,
      event: delivery.content.eventName ?? null,
      category: delivery.category,
      critical: delivery.critical,
      recipient: delivery.recipient,
      subject: delivery.content.subject,
      text: delivery.content.text,
      link: delivery.content.link ?? null,
      data: delivery.content.data ?? null,
      sentAt: at,
    });
    const signature = signWebhook(hook.secret, body, Math.floor(this.now().getTime() / 1000));
    return this.post(tenantId, hook.url, body, { [SIGNATURE_HEADER]: signature, 'X-ValueVerse-Delivery': delivery.id }, at);
  }

  private async slack(tenantId: string, settings: ChannelSettings, delivery: DeliveryRow, at: string): Promise<DeliveryAttempt> {
    const url = settings.slack?.webhookUrl;
    if (!url) throw new ChannelNotConfigured('slack is not configured (slack.webhookUrl)');
    const body = JSON.stringify(slackMessage({ subject: delivery.content.subject, text: delivery.content.text, category: delivery.category, link: delivery.content.link }));
    return this.post(tenantId, url, body, {}, at);
  }

  private async post(tenantId: string, url: string, body: string, headers: Record<string, string>, at: string): Promise<DeliveryAttempt> {
    let response: Response;
    try {
      response = await this.outbound.fetch(url, {
        method: 'POST',
        tenantId,
        body,
        headers: { 'content-type': 'application/json', ...headers },
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      const message = `${(error as { code?: string }).code ?? 'error'}: ${(error as Error).message}`.slice(0, 500);
      throw new SendFailed(message, [{ at, ok: false, response: message }]);
    }
    const text = (await response.text().catch(() => '')).slice(0, 300);
    const answer = `HTTP ${response.status}${text ? `: ${text}` : ''}`;
    if (!response.ok) throw new SendFailed(answer, [{ at, ok: false, response: answer }]);
    return { at, ok: true, response: answer };
  }
}
