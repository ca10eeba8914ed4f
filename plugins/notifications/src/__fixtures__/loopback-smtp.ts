import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** An SMTP server on loopback that parses what it receives, or refuses every message while `refusing` is set. */
export interface LoopbackSmtp {
  readonly port: number;
  readonly mails: ParsedMail[];
  refusing: boolean;
  /** While set, messages are held open (DATA never answered) until the client goes away or it is unset. */
  holding: boolean;
  /** Each message is answered this long after it arrives (a slow server); 0 by default. */
  delayMs: number;
  /** Messages held open so far. */
  readonly held: number;
  /** Resolves once `count` mails have arrived in all. */
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export async function startLoopbackSmtp(): Promise<LoopbackSmtp> {
  const mails: ParsedMail[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const state = { refusing: false, holding: false, held: 0, delayMs: 0 };
  const server = new SMTPServer({
    authOptional: true,
    // Loopback without TLS: let AUTH through in the clear (a real server would offer STARTTLS).
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === 'mailer' && auth.password === 'smtp-password') callback(null, { user: auth.username });
      else callback(new Error('535 5.7.8 bad credentials'));
    },
    onData(stream, _session, callback) {
      if (state.holding) {
        // Never answered: the sender is mid-delivery until it dies or the test stops holding (then it is refused).
        state.held += 1;
        stream.resume();
        const release = setInterval(() => {
          if (state.holding) return;
          clearInterval(release);
          callback(Object.assign(new Error('451 4.3.0 try again'), { responseCode: 451 }));
        }, 50);
        return;
      }
      if (state.refusing) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('554 5.7.1 refused by test'), { responseCode: 554 })));
        return;
      }
      simpleParser(stream)
        .then((mail) => {
          const accept = () => {
            mails.push(mail);
            for (const w of waiters.filter((x) => mails.length >= x.count)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve();
            }
            callback();
          };
          if (state.delayMs > 0) setTimeout(accept, state.delayMs);
          else accept();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    mails,
    get refusing() {
      return state.refusing;
    },
    set refusing(value: boolean) {
      state.refusing = value;
    },
    get holding() {
      return state.holding;
    },
    set holding(value: boolean) {
      state.holding = value;
    },
    get delayMs() {
      return state.delayMs;
    },
    set delayMs(value: number) {
      state.delayMs = value;
    },
    get held() {
      return state.held;
    },
    waitFor(count, timeoutMs = 10_000) {
      if (mails.length >= count) return Promise.resolve(mails);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} mails, got ${mails.length}`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(mails)) });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
