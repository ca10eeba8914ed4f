import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Token counts the fake reports; defaults are derived from the text lengths (about 4 characters a token). */
export interface FakeOpenAiUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens?: number;
}

interface ReplyCommon {
  /** Wait this long before answering (to exercise client timeouts). */
  readonly delayMs?: number;
  readonly usage?: FakeOpenAiUsage;
  /** When streaming: wait this long before each chunk after the first (to see tokens arrive, or to cancel midway). */
  readonly chunkDelayMs?: number;
}

/**
 * What the fake answers to one request:
 * - `content`: an assistant message with this text;
 * - `json`: structured output — the value as a tool call when the request offers tools (function-calling structured
 *   output), otherwise as JSON text content (`response_format` json_schema / json_object);
 * - `toolCalls`: explicit tool calls, optionally after some `content` (streamed first, as models do);
 * - `status`: an HTTP error with an OpenAI-style error body (`error` is its message);
 * - `drop`: the connection is destroyed without an answer.
 */
export type FakeOpenAiReply =
  | (ReplyCommon & { readonly content: string })
  | (ReplyCommon & { readonly json: unknown })
  | (ReplyCommon & { readonly content?: string; readonly toolCalls: readonly { readonly name: string; readonly arguments: unknown }[] })
  | { readonly status: number; readonly error?: string; readonly headers?: Record<string, string>; readonly delayMs?: number }
  | { readonly drop: true };

/** One request the fake received, in arrival order. */
export interface FakeOpenAiRequest {
  /** 0 for the first request the server received. */
  readonly index: number;
  /** When it arrived (ms since the epoch), e.g. to check retry backoff. */
  readonly receivedAt: number;
  readonly method: string;
  /** Path without the query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON body (undefined when there was none or it was not JSON). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the chat-completions body, as the client sent it
  readonly body: any;
}

export interface FakeOpenAiOptions {
  /**
   * Answers to the chat-completions requests in order: the first request gets `script[0]`, the second `script[1]`...
   * (e.g. a tool call, then the final text: an agent's turn). Requests past its end go to `reply`.
   */
  readonly script?: readonly FakeOpenAiReply[];
  /** Scripts the answer to each chat-completions request not answered by `script` (default: `{ content: 'ok' }`). */
  readonly reply?: (request: FakeOpenAiRequest) => FakeOpenAiReply | Promise<FakeOpenAiReply>;
}

export interface FakeOpenAi {
  /** Base URL to configure as the provider's `baseUrl`, e.g. `http://127.0.0.1:40123/v1`. */
  readonly url: string;
  /** Every request received, failed ones included. */
  readonly requests: FakeOpenAiRequest[];
  close(): Promise<void>;
}

const encoder = (value: unknown) => JSON.stringify(value);

function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

function promptText(body: { messages?: { content?: unknown }[] } | undefined): string {
  return (body?.messages ?? []).map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? ''))).join('\n');
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

interface Answer {
  readonly content: string | null;
  readonly toolCalls: { id: string; name: string; arguments: string }[];
}

/** Decides between content and a tool call for a `json` reply, the way a real model follows the request. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function answerOf(reply: FakeOpenAiReply, body: any, index: number): Answer {
  if ('toolCalls' in reply) {
    // Ids unique across the conversation (call_0, call_1... in the first request), as an agent pairs results by id.
    const prefix = index === 0 ? 'call_' : `call_${index}_`;
    return { content: reply.content ?? null, toolCalls: reply.toolCalls.map((c, i) => ({ id: `${prefix}${i}`, name: c.name, arguments: encoder(c.arguments) })) };
  }
  if ('content' in reply) return { content: reply.content, toolCalls: [] };
  const json = (reply as { json: unknown }).json;
  const tools: { function?: { name?: string } }[] = Array.isArray(body?.tools) ? body.tools : [];
  if (tools.length > 0 && body?.response_format?.type !== 'json_schema') {
    const name = body?.tool_choice?.function?.name ?? tools[0]?.function?.name ?? 'extract';
    return { content: null, toolCalls: [{ id: 'call_0', name, arguments: encoder(json) }] };
  }
  return { content: encoder(json), toolCalls: [] };
}

/**
 * A loopback server speaking the OpenAI chat-completions protocol (`POST /v1/chat/completions` or
 * `/chat/completions`), non-streaming and `stream: true` (server-sent events, with the usage chunk when
 * `stream_options.include_usage` is set), scripted by the test. Enough for LangChain's `ChatOpenAI` invoke, stream,
 * tool calls and `withStructuredOutput` (json_schema and function calling). It never calls anything else.
 *
 * @example
 * const fake = await startFakeOpenAi({ reply: (req) => (req.index === 0 ? { status: 500 } : { json: { ok: true } }) });
 * // configure the provider with baseUrl: fake.url, then:
 * expect(fake.requests).toHaveLength(2);
 * await fake.close();
 */
export async function startFakeOpenAi(options: FakeOpenAiOptions = {}): Promise<FakeOpenAi> {
  const requests: FakeOpenAiRequest[] = [];
  let chatRequests = 0;
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? '/').split('?')[0]!;
    const receivedAt = Date.now();
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const body = await readBody(req);
    const request: FakeOpenAiRequest = { index: requests.length, receivedAt, method: req.method ?? 'GET', path, headers, body };
    requests.push(request);
    const send = (status: number, payload: unknown, extra: Record<string, string> = {}) => {
      if (res.destroyed || res.writableEnded) return; // the client gave up (timeout) while we were waiting
      res.writeHead(status, { 'content-type': 'application/json', ...extra });
      res.end(encoder(payload));
    };
    if (req.method !== 'POST' || !/^(\/v1)?\/chat\/completions$/.test(path)) {
      return send(404, { error: { message: `Unknown request URL: ${req.method} ${path}`, type: 'invalid_request_error', code: 'unknown_url' } });
    }

    const scripted = options.script?.[chatRequests++];
    const reply = scripted ?? (options.reply ? await options.reply(request) : { content: 'ok' });
    if ('delayMs' in reply && reply.delayMs) await sleep(reply.delayMs);
    if ('drop' in reply) {
      req.socket.destroy();
      return;
    }
    if ('status' in reply) {
      const type = reply.status === 401 ? 'invalid_request_error' : reply.status >= 500 ? 'server_error' : 'invalid_request_error';
      return send(reply.status, { error: { message: reply.error ?? `Fake error ${reply.status}`, type, code: null } }, reply.headers);
    }

    const model = typeof body === 'object' && body !== null && typeof (body as { model?: unknown }).model === 'string' ? (body as { model: string }).model : 'fake-model';
    const answer = answerOf(reply, body, request.index);
    const completionText = answer.content ?? answer.toolCalls.map((c) => c.arguments).join('');
    const promptTokens = reply.usage?.prompt_tokens ?? estimateTokens(promptText(body as never));
    const completionTokens = reply.usage?.completion_tokens ?? estimateTokens(completionText);
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: reply.usage?.total_tokens ?? promptTokens + completionTokens };
    const id = `chatcmpl-fake-${request.index}`;
    const created = Math.floor(Date.now() / 1000);
    const finishReason = answer.toolCalls.length > 0 ? 'tool_calls' : 'stop';
    const toolCalls = answer.toolCalls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: c.arguments } }));

    if ((body as { stream?: unknown } | undefined)?.stream !== true) {
      return send(200, {
        id,
        object: 'chat.completion',
        created,
        model,
        choices: [
          {
            index: 0,
            message: { role: 'assistant', content: answer.content, ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) },
            logprobs: null,
            finish_reason: finishReason,
          },
        ],
        usage,
      });
    }

    if (res.destroyed) return;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      `data: ${encoder({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    const pieces: string[] = [chunk({ role: 'assistant', content: '' }, null)];
    if (answer.content) {
      // A few pieces, so that clients really assemble the message from deltas.
      const size = Math.max(1, Math.ceil(answer.content.length / 3));
      for (let at = 0; at < answer.content.length; at += size) pieces.push(chunk({ content: answer.content.slice(at, at + size) }, null));
    }
    answer.toolCalls.forEach((c, index) => {
      pieces.push(chunk({ tool_calls: [{ index, id: c.id, type: 'function', function: { name: c.name, arguments: '' } }] }, null));
      pieces.push(chunk({ tool_calls: [{ index, function: { arguments: c.arguments } }] }, null));
    });
    pieces.push(chunk({}, finishReason));
    if ((body as { stream_options?: { include_usage?: boolean } }).stream_options?.include_usage) {
      pieces.push(`data: ${encoder({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`);
    }
    const chunkDelayMs = 'chunkDelayMs' in reply ? (reply.chunkDelayMs ?? 0) : 0;
    for (const [i, piece] of pieces.entries()) {
      if (i > 0 && chunkDelayMs > 0) await sleep(chunkDelayMs);
      if (res.destroyed || res.writableEnded) return; // the client hung up (a cancelled stream)
      res.write(piece);
    }
    res.end('data: [DONE]\n\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(encoder({ error: { message: `fake-openai: reply script failed: ${(error as Error)?.message ?? String(error)}`, type: 'server_error' } }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      // Node's fetch keeps connections alive: cut them, or close() waits for them (docs/stack.md "Module system and tests").
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
