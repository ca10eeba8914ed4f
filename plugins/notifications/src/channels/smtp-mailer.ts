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
 * fails or has an open circuit. Transports are pooled per server settings and reused across deliveries.
 */
export class SmtpMailer {
  private readonly transports = new Map<string, Transporter<SMTPPool.SentMessageInfo>>();

  constructor(private readonly breaker = new CircuitBreaker()) {}

  async send(message: EmailMessage, primary: SmtpSettings, fallback?: SmtpSettings): Promise<{ carrier: 'primary' | 'fallback'; attempts: SmtpAttempt[]; response: string }> {
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
        const info = await this.transport(settings).sendMail({ ...message, headers: { ...message.headers } });
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

  /** Checks that a server answers and accepts the credentials (for "send a test"). */
  async verify(settings: SmtpSettings): Promise<void> {
    await this.transport(settings).verify();
  }

  close(): void {
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
  }

  private transport(settings: SmtpSettings): Transporter<SMTPPool.SentMessageInfo> {
    const key = `${serverKey(settings)}|${settings.secure ?? false}|${settings.user ?? ''}|${settings.password ?? ''}`;
    let transport = this.transports.get(key);
    if (!transport) {
      transport = createTransport({
        pool: true,
        maxConnections: 5,
        host: settings.host,
        port: settings.port ?? 587,
        secure: settings.secure ?? false,
        auth: settings.user ? { user: settings.user, pass: settings.password ?? '' } : undefined,
        connectionTimeout: 10_000,
        greetingTimeout: 10_000,
        socketTimeout: 30_000,
      });
      this.transports.set(key, transport);
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
