/**
 * `npm run bench -- agent` (issue #20): how long the value agent's first token takes through the kernel, against the
 * same model answer straight from the provider. A host runs in process (`bootSuiteHost`: PostgreSQL when the server
 * answers, else the embedded database) with value-agent and ai-openai pointed at the loopback fake OpenAI server:
 *   direct   POST the fake's /chat/completions (stream: true) with the very body the agent sends (its prompt and
 *            tools) and wait for the first non-empty content delta;
 *   kernel   POST /api/v1/agent/conversations/:id/messages (Accept: text/event-stream) and wait for the first
 *            `token` frame: authentication, dispatch, the turn's transaction (conversation, budget, message, reply),
 *            the tools offered, LangChain's ChatOpenAI over the kernel's outbound HTTP, and the SSE frame back.
 * Rounds alternate the two, one request at a time, after a warm-up. Printed: p50 and p99 of each, their ratio, and the
 * p99 the kernel adds (target < 20 ms). Knob: VV_BENCH_AGENT_ROUNDS (default 1,000 of each: a p99 of fewer is two or three samples).
 */
import { startFakeOpenAi } from '@valueverse/plugin-testing';
import { bootSuiteHost, signIn } from '../support/host-fixture';
import { figure } from './figures';

const envNumber = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const percentile = (xs: readonly number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

/** Reads `res` until `seen(text so far)`, returns the elapsed ms since `started`, then drains the rest. */
async function untilFirst(res: Response, started: number, seen: (text: string) => boolean): Promise<number> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  let at: number | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (at === undefined && seen(text)) at = performance.now() - started;
  }
  if (at === undefined) throw new Error(`no first token in: ${text.slice(0, 300)}`);
  return at;
}

export async function runAgentBench(): Promise<void> {
  const rounds = envNumber('VV_BENCH_AGENT_ROUNDS', 1000);
  const warmup = 20;
  const fake = await startFakeOpenAi({ reply: () => ({ content: 'Here is the first token, then a few more words of the answer.' }) });
  const host = await bootSuiteHost('vv_bench_agent', { VV_OUTBOUND_ALLOW_PRIVATE: '127.0.0.1/32' });
  try {
    const token = await signIn(host.url);
    const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${host.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const enabled = await call('PUT', '/api/v1/admin/tenants/demo/plugins/ai-openai', {
      enabled: true,
      config: { baseUrl: fake.url, apiKey: 'sk-bench', model: 'gpt-bench', maxRetries: 0, timeoutMs: 10000 },
    });
    if (enabled.status !== 200) throw new Error(`enabling ai-openai failed: ${enabled.status} ${await enabled.text()}`);
    console.log(`agent bench on ${host.onPostgres ? 'PostgreSQL' : 'the embedded database'}, ${rounds} rounds of each after ${warmup} warm-up rounds`);

    // The direct call sends what the agent sends (its system prompt, the tools with their schemas): the difference is
    // then what the kernel adds, not what a bigger request costs. Taken from the agent's own request after warm-up.
    let directBody = JSON.stringify({ model: 'gpt-bench', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hello' }] });
    const direct = async () => {
      const started = performance.now();
      const res = await fetch(`${fake.url}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
        body: directBody,
      });
      return untilFirst(res, started, (text) => /"content":"[^"]/.test(text));
    };
    const kernel = async () => {
      // A conversation per message, made outside the timing: every turn starts from the same short history.
      const conversation = (await (await call('POST', '/api/v1/agent/conversations', { title: 'bench' })).json()) as { id: string };
      const started = performance.now();
      const res = await call('POST', `/api/v1/agent/conversations/${conversation.id}/messages`, { content: 'hello' }, { accept: 'text/event-stream' });
      if (res.status !== 200) throw new Error(`message failed: ${res.status} ${await res.text()}`);
      return untilFirst(res, started, (text) => text.includes('event: token'));
    };

    for (let i = 0; i < warmup; i++) {
      await direct();
      await kernel();
    }
    const agentRequest = fake.requests.filter((r) => r.body?.stream === true && Array.isArray(r.body?.tools)).at(-1);
    if (!agentRequest) throw new Error('the agent sent no streamed request with tools');
    directBody = JSON.stringify(agentRequest.body);
    console.log(`the request both send: ${directBody.length} bytes, ${agentRequest.body.tools.length} tools`);
    const times = { direct: [] as number[], kernel: [] as number[] };
    for (let i = 0; i < rounds; i++) {
      // Alternating, and the order flips each round: drift on a shared machine hits both alike.
      if (i % 2 === 0) {
        times.direct.push(await direct());
        times.kernel.push(await kernel());
      } else {
        times.kernel.push(await kernel());
        times.direct.push(await direct());
      }
    }
    const d50 = percentile(times.direct, 0.5);
    const d99 = percentile(times.direct, 0.99);
    const k50 = percentile(times.kernel, 0.5);
    const k99 = percentile(times.kernel, 0.99);
    const fmt = (x: number) => `${x.toFixed(2)} ms`;
    console.log(`first token, direct from the fake provider: p50 ${fmt(d50)}, p99 ${fmt(d99)}`);
    console.log(`first token, through the kernel (value agent): p50 ${fmt(k50)}, p99 ${fmt(k99)}`);
    console.log(`ratio kernel / direct: p50 ${(k50 / d50).toFixed(2)}×, p99 ${(k99 / d99).toFixed(2)}×`);
    console.log(`the kernel adds: p50 ${fmt(k50 - d50)}, p99 ${fmt(k99 - d99)} (target p99 < 20 ms: ${k99 - d99 < 20 ? 'met' : 'NOT met'})`);
    figure('agent first token p50 ratio (kernel / direct)', k50 / d50, '×', 'lower');
    figure('agent first token p99 added by the kernel', k99 - d99, 'ms', 'lower');
  } finally {
    await host.dispose();
    await fake.close();
  }
}
