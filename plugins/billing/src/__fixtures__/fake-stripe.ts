import { createServer, type IncomingMessage, type Server } from 'node:http';

/** One PaymentIntent as the fake keeps it. */
export interface FakeIntent {
  id: string;
  object: 'payment_intent';
  amount: number;
  currency: string;
  status: string;
  metadata: Record<string, string>;
  payment_method: string | null;
  last_payment_error: { code: string } | null;
}

export interface FakeStripe {
  readonly url: string;
  readonly port: number;
  /** Every request, in order, with its idempotency key. */
  readonly requests: { method: string; path: string; idempotencyKey?: string }[];
  readonly intents: Map<string, FakeIntent>;
  close(): Promise<void>;
}

function form(body: string): { params: URLSearchParams; metadata: Record<string, string> } {
  const params = new URLSearchParams(body);
  const metadata: Record<string, string> = {};
  for (const [key, value] of params) {
    const match = /^metadata\[(.+)\]$/.exec(key);
    if (match) metadata[match[1]!] = value;
  }
  return { params, metadata };
}

const read = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let data = '';
    req.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    req.on('end', () => resolve(data));
  });

/**
 * A loopback stand-in for the Stripe API's PaymentIntents (stripe-mock is a Go binary, not available here). Like
 * Stripe it answers a repeated Idempotency-Key with the first answer. Test cards: `pm_card_chargeDeclined` is
 * declined (402 card_error), `pm_card_processing` stays processing, anything else succeeds.
 */
export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: FakeStripe['requests'] = [];
  const intents = new Map<string, FakeIntent>();
  const answers = new Map<string, { status: number; body: string }>();
  let next = 1;
  const server: Server = createServer(async (req, res) => {
    const body = await read(req);
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    requests.push({ method: req.method!, path: req.url!, idempotencyKey });
    const send = (status: number, payload: unknown) => {
      const text = JSON.stringify(payload);
      if (idempotencyKey) answers.set(idempotencyKey, { status, body: text });
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${next}` });
      res.end(text);
    };
    if (!String(req.headers.authorization ?? '').startsWith('Bearer sk_test_')) return send(401, { error: { type: 'invalid_request_error', message: 'Invalid API Key' } });
    const replay = idempotencyKey ? answers.get(idempotencyKey) : undefined;
    if (replay) {
      res.writeHead(replay.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
      return res.end(replay.body);
    }
    if (req.method === 'POST' && req.url === '/v1/payment_intents') {
      const { params, metadata } = form(body);
      const method = params.get('payment_method');
      const intent: FakeIntent = {
        id: `pi_fake_${next++}`,
        object: 'payment_intent',
        amount: Number(params.get('amount')),
        currency: params.get('currency')!,
        status: method === 'pm_card_chargeDeclined' ? 'requires_payment_method' : method === 'pm_card_processing' ? 'processing' : 'succeeded',
        metadata,
        payment_method: method,
        last_payment_error: method === 'pm_card_chargeDeclined' ? { code: 'card_declined' } : null,
      };
      intents.set(intent.id, intent);
      if (intent.status === 'requires_payment_method')
        return send(402, { error: { type: 'card_error', code: 'card_declined', message: 'Your card was declined.', payment_intent: intent } });
      return send(200, intent);
    }
    const get = /^\/v1\/payment_intents\/([^/?]+)/.exec(req.url ?? '');
    if (req.method === 'GET' && get && intents.has(get[1]!)) return send(200, intents.get(get[1]!));
    return send(404, { error: { type: 'invalid_request_error', message: `No such route ${req.method} ${req.url}` } });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://stripe.test:${port}`,
    port,
    requests,
    intents,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
