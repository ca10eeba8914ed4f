import path from 'node:path';
import { createTestKernel, startFakeOpenAi, type FakeOpenAi, type FakeOpenAiReply, type TestKernel } from '@valueverse/plugin-testing';
import { draftSupportCase, sseFrames } from './__fixtures__/support-automation';

const dir = (name: string) => path.resolve(__dirname, '../..', name);
const plugins = ['calculation', 'value-architect', 'value-committer', 'value-executor', 'ai-openai', 'value-agent'].map((name) => ({ dir: dir(name) }));
const stream = { accept: 'text/event-stream' };

describe('value-agent', () => {
  let fake: FakeOpenAi;
  let k: TestKernel;
  /** The fake's answers, consumed in order by the next chat-completions requests. */
  const queue: FakeOpenAiReply[] = [];

  beforeAll(async () => {
    fake = await startFakeOpenAi({ reply: () => queue.shift() ?? { content: 'ok' } });
    k = await createTestKernel({
      plugins,
      tenants: ['acme', 'globex', 'initech'],
      allowPrivateDestinations: '127.0.0.1/32',
      config: { 'ai-openai': { baseUrl: fake.url, apiKey: 'sk-test', model: 'gpt-test', maxRetries: 0, timeoutMs: 5000 } },
    });
  }, 60_000);
  afterAll(async () => {
    await k?.close();
    await fake?.close();
  });
  beforeEach(() => {
    queue.length = 0;
  });

  const conversation = async (options: { tenant?: string; role?: 'viewer' | 'member' | 'tenant-admin'; context?: unknown } = {}) => {
    const res = await k.request('POST', '/api/v1/agent/conversations', {
      tenant: options.tenant ?? 'acme',
      role: options.role ?? 'member',
      body: { title: 'Case', ...(options.context ? { context: options.context } : {}) },
    });
    expect(res.status).toBe(201);
    return res.body.id as string;
  };
  const say = async (id: string, content: string, options: { tenant?: string; role?: 'viewer' | 'member' | 'tenant-admin' } = {}) => {
    const res = await k.request('POST', `/api/v1/agent/conversations/${id}/messages`, {
      tenant: options.tenant ?? 'acme',
      role: options.role ?? 'member',
      headers: stream,
      body: { content },
    });
    return { status: res.status, body: res.body, frames: res.status === 200 ? sseFrames(String(res.body)) : [] };
  };
  const offeredTools = (request: { body: any }) => ((request.body?.tools ?? []) as { function: { name: string } }[]).map((t) => t.function.name);

  it('drafts a model through a tool call, streams the answer, and creates the model only when the user applies it', async () => {
    const id = await conversation();
    queue.push({ toolCalls: [{ name: 'draft_model', arguments: draftSupportCase }] }, { content: 'I drafted a support automation case for 400 agents: apply it to save it.' });
    const before = fake.requests.length;
    const { status, frames } = await say(id, 'build a support automation case for 400 agents');
    expect(status).toBe(200);
    const events = frames.map((f) => f.event);
    expect(events[0]).toBe('message');
    expect(events).toContain('artifact');
    expect(events[events.length - 1]).toBe('done');
    // Token by token: the answer arrives in several deltas that add up to the stored reply.
    const deltas = frames.filter((f) => f.event === 'token').map((f) => f.data.delta as string);
    expect(deltas.length).toBeGreaterThan(1);
    const done = frames.find((f) => f.event === 'done')!.data.message;
    expect(deltas.join('')).toBe(done.content);
    expect(done).toMatchObject({ status: 'complete', role: 'assistant' });
    expect(done.toolCalls).toEqual([expect.objectContaining({ name: 'draft_model', outcome: 'ok', artifactId: expect.any(String) })]);
    expect(done.tokens).toBeGreaterThan(0);

    // Two model calls: the second carries the tool's result back.
    const calls = fake.requests.slice(before);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.body.stream).toBe(true);
    expect(offeredTools(calls[0]!)).toEqual(
      expect.arrayContaining(['find_models', 'read_model', 'evaluate_model', 'run_sensitivity', 'run_monte_carlo', 'draft_model', 'propose_commitment', 'read_realization']),
    );
    const toolResult = calls[1]!.body.messages.find((m: { role: string }) => m.role === 'tool');
    expect(JSON.parse(toolResult.content)).toMatchObject({ proposed: 'model-draft', npv: expect.any(Number), artifactId: expect.any(String) });

    const artifact = frames.find((f) => f.event === 'artifact')!.data;
    expect(artifact).toMatchObject({ kind: 'model-draft', status: 'proposed', title: draftSupportCase.name });
    // Nothing exists until applied.
    expect((await k.request('GET', '/api/v1/value-models?q=Support', { role: 'member' })).body.items).toEqual([]);

    const applied = await k.request('POST', `/api/v1/agent/artifacts/${artifact.id}/apply`, { role: 'member' });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ status: 'applied', result: { modelId: expect.any(String), version: 1 } });
    const model = await k.request('GET', `/api/v1/value-models/${applied.body.result.modelId}`, { role: 'member' });
    expect(model.status).toBe(200);
    expect(model.body).toMatchObject({
      name: draftSupportCase.name,
      createdBy: 'user-member',
      model: { drivers: expect.arrayContaining([expect.objectContaining({ name: 'agents', value: 400 })]) },
    });
    // Twice is refused; the conversation shows the artifact applied.
    expect((await k.request('POST', `/api/v1/agent/artifacts/${artifact.id}/apply`, { role: 'member' })).status).toBe(409);
    const detail = await k.request('GET', `/api/v1/agent/conversations/${id}`, { role: 'member' });
    expect(detail.body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant']);
    expect(detail.body.artifacts).toEqual([expect.objectContaining({ id: artifact.id, status: 'applied' })]);

    // Audited: the tool call and the apply, each as the user.
    const toolAudit = await k.request('GET', '/api/v1/admin/audit?action=value-agent.tool-called');
    expect(toolAudit.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tenantId: 'acme', actor: 'user-member', target: id, after: expect.objectContaining({ tool: 'draft_model', outcome: 'ok' }) }),
      ]),
    );
    const applyAudit = await k.request('GET', '/api/v1/admin/audit?action=value-agent.artifact-applied');
    expect(applyAudit.body.items).toEqual([expect.objectContaining({ actor: 'user-member', target: artifact.id })]);
  }, 60_000);

  it('proposes a commitment at a P-level and the applied proposal is a draft commitment of that model', async () => {
    const created = await k.request('POST', '/api/v1/value-models', { role: 'member', body: { ...draftSupportCase, name: 'Committed support case' } });
    expect(created.status).toBe(201);
    const id = await conversation({ context: { kind: 'value-model', id: created.body.id } });
    const milestones = [{ title: 'Hours saved', dueDate: '2030-01-01', metric: 'hours_saved', target: 100 }];
    queue.push(
      { toolCalls: [{ name: 'propose_commitment', arguments: { modelId: created.body.id, confidence: 0.8, milestones } }] },
      { content: 'Here is a P80 commitment to apply.' },
    );
    const before = fake.requests.length;
    const { frames } = await say(id, 'commit this at P80');
    // The page object is the conversation's context.
    expect(fake.requests[before]!.body.messages[0].content).toContain(`value model ${created.body.id}`);
    const artifact = frames.find((f) => f.event === 'artifact')!.data;
    expect(artifact).toMatchObject({ kind: 'commitment-proposal', payload: { preview: { pLevel: 'P80', committedValue: expect.any(Number) } } });
    const applied = await k.request('POST', `/api/v1/agent/artifacts/${artifact.id}/apply`, { role: 'member' });
    expect(applied.status).toBe(200);
    const commitment = await k.request('GET', `/api/v1/commitments/${applied.body.result.commitmentId}`, { role: 'member' });
    expect(commitment.status).toBe(200);
    expect(commitment.body).toMatchObject({
      modelId: created.body.id,
      confidence: 0.8,
      status: 'draft',
      createdBy: 'user-member',
      milestones: [expect.objectContaining(milestones[0])],
    });
  }, 60_000);

  it("gives a viewer's agent no write tools, refuses a write it asks for anyway, and refuses the viewer's apply", async () => {
    const tools = await k.request('GET', '/api/v1/agent/tools', { role: 'viewer' });
    const names = tools.body.items.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['find_models', 'evaluate_model', 'read_realization']));
    for (const write of ['draft_model', 'draft_model_change', 'propose_commitment']) expect(names).not.toContain(write);

    const id = await conversation({ role: 'viewer' });
    queue.push({ toolCalls: [{ name: 'draft_model', arguments: draftSupportCase }] }, { content: 'I cannot save models for you.' });
    const before = fake.requests.length;
    const { frames } = await say(id, 'build a support automation case for 400 agents', { role: 'viewer' });
    expect(offeredTools(fake.requests[before]!)).not.toContain('draft_model');
    expect(frames.some((f) => f.event === 'artifact')).toBe(false);
    expect(frames.find((f) => f.event === 'done')!.data.message.toolCalls).toEqual([expect.objectContaining({ name: 'draft_model', outcome: 'refused' })]);

    // A member's artifact: the viewer may not apply it (the route needs member), nor discard it (it is the member's).
    const memberConversation = await conversation();
    queue.push({ toolCalls: [{ name: 'draft_model', arguments: draftSupportCase }] }, { content: 'Drafted.' });
    const artifact = (await say(memberConversation, 'draft it')).frames.find((f) => f.event === 'artifact')!.data;
    const refused = await k.request('POST', `/api/v1/agent/artifacts/${artifact.id}/apply`, { role: 'viewer' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('VV_FORBIDDEN');
    expect((await k.request('POST', `/api/v1/agent/artifacts/${artifact.id}/discard`, { role: 'viewer' })).status).toBe(404);
    const detail = await k.request('GET', `/api/v1/agent/conversations/${memberConversation}`, { role: 'member' });
    expect(detail.body.artifacts).toEqual([expect.objectContaining({ id: artifact.id, status: 'proposed' })]);
    // Discarded, it can no longer be applied.
    expect((await k.request('POST', `/api/v1/agent/artifacts/${artifact.id}/discard`, { role: 'member' })).body.status).toBe('discarded');
    expect((await k.request('POST', `/api/v1/agent/artifacts/${artifact.id}/apply`, { role: 'member' })).status).toBe(409);
  }, 60_000);

  it("offers no tools of a plugin the tenant disabled, and keeps each user's conversations to that user", async () => {
    expect((await k.setPlugin('globex', 'value-executor', { enabled: false })).status).toBe(200);
    expect((await k.setPlugin('globex', 'value-committer', { enabled: false })).status).toBe(200);
    const names = (await k.request('GET', '/api/v1/agent/tools', { tenant: 'globex', role: 'member' })).body.items.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['find_models', 'draft_model']));
    for (const absent of ['propose_commitment', 'list_commitments', 'read_realization', 'rank_amplification_ideas']) expect(names).not.toContain(absent);
    const id = await conversation({ tenant: 'globex' });
    queue.push({ content: 'ok' });
    const before = fake.requests.length;
    await say(id, 'what can you do?', { tenant: 'globex' });
    expect(offeredTools(fake.requests[before]!)).not.toContain('propose_commitment');

    // Without Accept: text/event-stream: 202 with the stored question, and the reply is read from the conversation.
    queue.push({ content: 'Answered without a stream.' });
    const accepted = await k.request('POST', `/api/v1/agent/conversations/${id}/messages`, { tenant: 'globex', role: 'member', body: { content: 'and now?' } });
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ message: { role: 'user', content: 'and now?' }, reply: { role: 'assistant', status: 'streaming' } });
    let reply: { status: string; content: string } | undefined;
    for (let i = 0; i < 50 && reply?.status !== 'complete'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      reply = (await k.request('GET', `/api/v1/agent/conversations/${id}`, { tenant: 'globex', role: 'member' })).body.messages.find(
        (m: { id: string }) => m.id === accepted.body.reply.id,
      );
    }
    expect(reply).toMatchObject({ status: 'complete', content: 'Answered without a stream.' });

    expect((await k.request('GET', `/api/v1/agent/conversations/${id}`, { tenant: 'globex', role: 'tenant-admin' })).status).toBe(404);
    expect((await k.request('GET', `/api/v1/agent/conversations/${id}`, { tenant: 'acme', role: 'member' })).status).toBe(404);
    expect((await k.request('GET', `/api/v1/agent/conversations/${id}`, { tenant: 'globex', role: 'member' })).status).toBe(200);
  }, 60_000);

  it('names a failing provider without its address or connection error, and keeps the reply as failed', async () => {
    const id = await conversation();
    queue.push({ drop: true });
    const dropped = await say(id, 'hello');
    const error = dropped.frames.find((f) => f.event === 'error')!.data;
    expect(error).toMatchObject({ code: 'VV_DEPENDENCY_UNAVAILABLE', message: { status: 'failed' } });
    expect(error.detail).toContain('AI provider "ai-openai"');
    expect(JSON.stringify(error)).not.toMatch(/127\.0\.0\.1|ECONN|socket|fetch failed/i);

    queue.push({ status: 500, error: 'secret backend stack trace at http://10.0.0.7/internal' });
    const failed = await say(id, 'hello again');
    const upstream = failed.frames.find((f) => f.event === 'error')!.data;
    expect(upstream).toMatchObject({ code: 'VV_UPSTREAM_FAILED' });
    expect(JSON.stringify(upstream)).not.toMatch(/secret|10\.0\.0\.7/);
  }, 60_000);

  it('stops a run on cancel and keeps what was said as cancelled', async () => {
    const id = await conversation();
    queue.push({ content: 'A long answer that streams slowly, piece by piece, so it can be cancelled.', chunkDelayMs: 400 });
    const answer = say(id, 'talk slowly');
    // Wait for the reply to start streaming, then cancel.
    await new Promise((resolve) => setTimeout(resolve, 600));
    const cancelled = await k.request('POST', `/api/v1/agent/conversations/${id}/cancel`, { role: 'member' });
    expect(cancelled.body).toEqual({ cancelled: true });
    const { frames } = await answer;
    const done = frames.find((f) => f.event === 'done')!.data.message;
    expect(done.status).toBe('cancelled');
    expect(done.content.length).toBeLessThan('A long answer that streams slowly, piece by piece, so it can be cancelled.'.length);
  }, 60_000);

  it('refuses messages past the tenant token budget with VV_AGENT_TOKEN_BUDGET_EXCEEDED', async () => {
    expect((await k.setPlugin('initech', 'value-agent', { enabled: true, config: { monthlyTokenBudget: 50 } })).status).toBe(200);
    const id = await conversation({ tenant: 'initech' });
    queue.push({ content: 'ok', usage: { prompt_tokens: 40, completion_tokens: 20 } });
    const first = await say(id, 'hello', { tenant: 'initech' });
    expect(first.frames.map((f) => f.event)).toEqual(['message', 'token', 'token', 'done']);
    expect(first.frames.find((f) => f.event === 'done')!.data.message.tokens).toBe(60);
    const over = await k.request('POST', `/api/v1/agent/conversations/${id}/messages`, { tenant: 'initech', role: 'member', body: { content: 'again' } });
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(over.body).toMatchObject({ code: 'VV_AGENT_TOKEN_BUDGET_EXCEEDED', used: 60, budget: 50 });
  }, 60_000);
});
