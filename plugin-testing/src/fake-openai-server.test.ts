import { startFakeOpenAi, type FakeOpenAi } from './fake-openai-server';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked by the assertions
type Json = any;

const post = (fake: FakeOpenAi, body: unknown, path = '/chat/completions') =>
  fetch(`${fake.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body: JSON.stringify(body) });

describe('startFakeOpenAi', () => {
  let fake: FakeOpenAi;
  afterEach(() => fake.close());

  it('answers a chat completion with content and usage, and records the request', async () => {
    fake = await startFakeOpenAi({ reply: () => ({ content: 'hi there', usage: { prompt_tokens: 5, completion_tokens: 2 } }) });
    const res = await post(fake, { model: 'm1', messages: [{ role: 'user', content: 'hello' }] });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'm1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'hi there' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
    expect(fake.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(fake.requests).toEqual([expect.objectContaining({ index: 0, method: 'POST', path: '/v1/chat/completions', body: expect.objectContaining({ model: 'm1' }) })]);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer k');
  });

  it('answers json as content for response_format, and as a call of the chosen tool when tools are offered', async () => {
    fake = await startFakeOpenAi({ reply: () => ({ json: { a: 1 } }) });
    const asContent: Json = await (await post(fake, { model: 'm', messages: [], response_format: { type: 'json_schema', json_schema: { name: 'x', schema: {} } } })).json();
    expect(JSON.parse(asContent.choices[0].message.content)).toEqual({ a: 1 });
    const tools = [
      { type: 'function', function: { name: 'other', parameters: {} } },
      { type: 'function', function: { name: 'extract', parameters: {} } },
    ];
    const asTool: Json = await (await post(fake, { model: 'm', messages: [], tools, tool_choice: { type: 'function', function: { name: 'extract' } } })).json();
    expect(asTool.choices[0].finish_reason).toBe('tool_calls');
    expect(asTool.choices[0].message.tool_calls).toEqual([{ id: 'call_0', type: 'function', function: { name: 'extract', arguments: '{"a":1}' } }]);
  });

  it('streams server-sent events with the usage chunk and [DONE]', async () => {
    fake = await startFakeOpenAi({ reply: () => ({ content: 'abcdef' }) });
    const res = await post(fake, { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: true, stream_options: { include_usage: true } });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const events = (await res.text())
      .split('\n\n')
      .filter(Boolean)
      .map((e) => e.replace(/^data: /, ''));
    expect(events.at(-1)).toBe('[DONE]');
    const chunks: Json[] = events.slice(0, -1).map((e) => JSON.parse(e));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('abcdef');
    expect(chunks.at(-1).usage).toEqual({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 });
  });

  it('answers scripted errors with an OpenAI error body, and unknown paths with 404', async () => {
    fake = await startFakeOpenAi({ reply: (req) => (req.index === 0 ? { status: 429, error: 'slow down', headers: { 'retry-after': '1' } } : { content: 'ok' }) });
    const limited = await post(fake, { model: 'm', messages: [] });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(((await limited.json()) as Json).error.message).toBe('slow down');
    expect((await post(fake, { model: 'm', messages: [] })).status).toBe(200);
    expect((await post(fake, {}, '/embeddings')).status).toBe(404);
    expect(fake.requests).toHaveLength(3);
  });

  it('answers a scripted sequence in order, streams text then tool calls as deltas, and spaces chunks by chunkDelayMs', async () => {
    fake = await startFakeOpenAi({
      script: [{ content: 'Looking.', toolCalls: [{ name: 'find_models', arguments: { q: 'support' } }], chunkDelayMs: 60 }, { content: 'Done.' }],
      reply: () => ({ content: 'after the script' }),
    });
    const started = Date.now();
    const text = await (await post(fake, { model: 'm', stream: true, messages: [] })).text();
    // role, three text pieces, two tool-call pieces, finish: six gaps of 60 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    const deltas = text
      .split('\n\n')
      .filter((l) => l.startsWith('data: {'))
      .map((l) => JSON.parse(l.slice(6)).choices[0]?.delta ?? {});
    expect(deltas.map((d: Json) => d.content ?? '').join('')).toBe('Looking.');
    expect(deltas.filter((d: Json) => d.tool_calls).map((d: Json) => d.tool_calls[0])).toEqual([
      { index: 0, id: 'call_0', type: 'function', function: { name: 'find_models', arguments: '' } },
      { index: 0, function: { arguments: '{"q":"support"}' } },
    ]);
    const second: Json = await (await post(fake, { model: 'm', messages: [] })).json();
    expect(second.choices[0].message.content).toBe('Done.');
    const third: Json = await (await post(fake, { model: 'm', messages: [] })).json();
    expect(third.choices[0].message.content).toBe('after the script');
  });

  it('drops the connection when told to', async () => {
    fake = await startFakeOpenAi({ reply: () => ({ drop: true }) });
    await expect(post(fake, { model: 'm', messages: [] })).rejects.toThrow(/fetch failed/);
    expect(fake.requests).toHaveLength(1);
  });
});
