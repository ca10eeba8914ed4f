import { createTransport, type Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { CircuitBreaker } from './circuit-breaker';

/** One SMTP server as configured (`email.smtp` or `email.fallbackSmtp`). */
export interface SmtpSettings {
  readonly host: string;
  readonly port?: number;
  readonly secure?: boolean;
  readonly user?: string;
  readonly password?: string;
}

export interface EmailMessage {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** Stable per delivery, so a receiver can recognise a message sent again after a crash. */
  readonly messageId: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One try on one server, for the delivery's attempt log. */
export interface SmtpAttempt {
  readonly server: 'primary' | 'fallback';
  readonly host: string;
  readonly ok: boolean;
  /** The server's answer (`250 OK …`) or the error. */
  readonly response: string;
  /** Set when the server was not tried because its circuit is open. */
  readonly skipped?: boolean;
}

export class SmtpSendError extends Error {
  constructor(readonly attempts: readonly SmtpAttempt[]) {
    super(`every SMTP server refused: ${attempts.map((a) => `${a.server} ${a.host}: ${a.response}`).join('; ')}`);
  }
}

/**
 * Sends mail through the tenant's primary SMTP server, falling back to the second one when the primary refuses,
 * fails or has an open circuit. Each tenant has its own pooled transports (connections stay open between
 * deliveries, as raw nodemailer's pool does); when the tenant's SMTP settings change, its old pools are closed and
 * new ones made from the new settings.
 */
export class SmtpMailer {
  private readonly tenants = new Map<string, { readonly fingerprint: string; readonly transports: Map<string, Transporter<SMTPPool.SentMessageInfo>> }>();

  /**
   * `resolve` applies the kernel's outbound address policy to a server (`core.outbound`'s `resolveDestination`) and
   * names the address to connect to; each pool connects to the address checked when it was made.
   */
  constructor(
    private readonly breaker = new CircuitBreaker(),
    private readonly resolve?: (host: string, port: number, tenantId: string) => Promise<{ readonly address: string }>,
  ) {}

  async send(
    tenantId: string,
    message: EmailMessage,
    primary: SmtpSettings,
    fallback?: SmtpSettings,
  ): Promise<{ carrier: 'primary' | 'fallback'; attempts: SmtpAttempt[]; response: string }> {
    const transports = this.transportsOf(tenantId, primary, fallback);
    const attempts: SmtpAttempt[] = [];
    const servers = [['primary', primary] as const, ...(fallback ? [['fallback', fallback] as const] : [])];
    for (const [server, settings] of servers) {
      const key = serverKey(settings);
      // The last server is tried even with an open circuit: refusing to send at all helps no one.
      if (!this.breaker.allows(key) && server !== servers[servers.length - 1]![0]) {
        attempts.push({ server, host: settings.host, ok: false, response: 'circuit open', skipped: true });
        continue;
      }
      try {
        const info = await (await this.transport(transports, settings, tenantId)).sendMail({ ...message, headers: { ...message.headers } });
        this.breaker.succeeded(key);
        attempts.push({ server, host: settings.host, ok: true, response: info.response });
        return { carrier: server, attempts, response: info.response };
      } catch (error) {
        this.breaker.failed(key);
        attempts.push({ server, host: settings.host, ok: false, response: describe(error) });
      }
    }
    throw new SmtpSendError(attempts);
  }

  /** Checks that a server answers and accepts the credentials (for "send a test"), on a connection of its own. */
  async verify(settings: SmtpSettings): Promise<void> {
    const transport = await this.transport(new Map(), settings);
    try {
      await transport.verify();
    } finally {
      transport.close();
    }
  }

  close(): void {
    for (const { transports } of this.tenants.values()) for (const transport of transports.values()) transport.close();
    this.tenants.clear();
  }

  /** The tenant's pools, made again (the old ones closed) when its SMTP settings changed since they were made. */
  private transportsOf(tenantId: string, primary: SmtpSettings, fallback?: SmtpSettings): Map<string, Transporter<SMTPPool.SentMessageInfo>> {
    const fingerprint = JSON.stringify([primary, fallback ?? null]);
    const current = this.tenants.get(tenantId);
    if (current?.fingerprint === fingerprint) return current.transports;
    if (current) for (const transport of current.transports.values()) transport.close();
    const transports = new Map<string, Transporter<SMTPPool.SentMessageInfo>>();
    this.tenants.set(tenantId, { fingerprint, transports });
    return transports;
  }

  private async transport(
    transports: Map<string, Transporter<SMTPPool.SentMessageInfo>>,
    settings: SmtpSettings,
    tenantId?: string,
  ): Promise<Transporter<SMTPPool.SentMessageInfo>> {
    const key = `${serverKey(settings)}|${settings.secure ?? false}|${settings.user ?? ''}`;
    let transport = transports.get(key);
    if (!transport) {
      // The destination check of the outbound policy (throws VV_OUTBOUND_REFUSED); TLS still verifies the name.
      const checked = this.resolve ? await this.resolve(settings.host, settings.port ?? 587, tenantId ?? '') : undefined;
      transport = transports.get(key);
      if (transport) return transport;
      transport = createTransport({
        pool: true,
        servername: checked ? settings.host : undefined,
        maxConnections: 5,
        // Keep the pool's connections for many messages (nodemailer's default is 100 per connection).
        maxMessages: Infinity,
        host: checked?.address ?? settings.host,
        port: settings.port ?? 587,
        secure: settings.secure ?? false,
        auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
      transports.set(key, transport);
    }
    return transport;
  }
}

function serverKey(settings: SmtpSettings): string {
  return `${settings.host}:${settings.port ?? 587}`;
}

function describe(error: unknown): string {
  const e = error as { response?: string; code?: string; message?: string };
  return (e.response ?? `${e.code ? `${e.code}: ` : ''}${e.message ?? String(error)}`).slice(0, 500);
}
