import { RpcPeer, type Wire } from './rpc-peer';

/** Two peers joined as over IPC: every message is structured-cloned and delivered on a later tick. */
function pair(): { kernel: RpcPeer; sandbox: RpcPeer; sent: Wire[] } {
  const sent: Wire[] = [];
  const peers: { kernel?: RpcPeer; sandbox?: RpcPeer } = {};
  const kernel = new RpcPeer({ send: (m) => (sent.push(m), setImmediate(() => peers.sandbox!.receive(structuredClone(m)))) });
  const sandbox = new RpcPeer({ send: (m) => (sent.push(m), setImmediate(() => peers.kernel!.receive(structuredClone(m)))) });
  Object.assign(peers, { kernel, sandbox });
  return { kernel, sandbox, sent };
}

class Counter {
  private count = 0;
  readonly label = 'counter';
  increment(by: number): number {
    this.count += by;
    return this.count;
  }
}

describe('RpcPeer', () => {
  it('calls a service of the other side by reference: data is copied, methods call back', async () => {
    const { kernel, sandbox } = pair();
    kernel.expose(0, { counter: () => new Counter() });
    const counter = (await sandbox.call(0, 'counter', [])) as { label: string; increment(by: number): Promise<number> };
    expect(counter.label).toBe('counter');
    expect(await counter.increment(2)).toBe(2);
    expect(await counter.increment(3)).toBe(5);
  });

  it('passes functions both ways: a callback handed over is called back on its own side', async () => {
    const { kernel, sandbox } = pair();
    kernel.expose(0, { transaction: async (work: (tx: { query(sql: string): Promise<string> }) => Promise<string>) => work({ query: async (sql) => `ran ${sql}` }) });
    expect(await sandbox.call(0, 'transaction', [async (tx: { query(sql: string): Promise<string> }) => (await tx.query('select 1')).toUpperCase()])).toBe('RAN SELECT 1');
  });

  it('refuses a method it was not handed (constructor, a private one, one added later) and an id nothing was exported under', async () => {
    const { kernel, sandbox } = pair();
    const service = new Counter();
    kernel.expose(0, service);
    await expect(sandbox.call(0, 'constructor', [])).rejects.toThrow('"constructor" is not a method of this service');
    await expect(sandbox.call(0, 'toString', [])).rejects.toThrow('is not a method');
    (service as unknown as { later: () => string }).later = () => 'late';
    await expect(sandbox.call(0, 'later', [])).rejects.toThrow('is not a method');
    await expect(sandbox.call(99, undefined, [])).rejects.toThrow('nothing is exported under 99');
  });

  it('never turns user data into a reference: an object that looks like an encoded function stays data', async () => {
    const { kernel, sandbox } = pair();
    kernel.expose(0, { echo: (value: unknown) => value });
    const forged = { __vvrpc: 'fn', id: 0 };
    expect(await sandbox.call(0, 'echo', [forged])).toEqual(forged);
  });

  it('releases the references of a call when it settles, unless pinned (setup)', async () => {
    const { kernel, sandbox, sent } = pair();
    let kept: (() => Promise<unknown>) | undefined;
    kernel.expose(0, { keep: (fn: () => Promise<unknown>) => void (kept = fn) });
    await sandbox.call(0, 'keep', [() => 'scoped']);
    await expect(kept!()).rejects.toThrow('nothing is exported under');
    sandbox.pinned = true;
    await sandbox.call(0, 'keep', [() => 'pinned']);
    sandbox.pinned = false;
    expect(await kept!()).toBe('pinned');
    expect(sent.some((m) => m.t === 'err')).toBe(true);
  });

  it('carries errors with their code and status, and fails every waiting and later call once closed', async () => {
    const { kernel, sandbox } = pair();
    kernel.expose(0, {
      fail: () => {
        throw Object.assign(new Error('nope'), { code: 'VV_FORBIDDEN', status: 403 });
      },
      never: () => new Promise(() => undefined),
    });
    await expect(sandbox.call(0, 'fail', [])).rejects.toMatchObject({ message: 'nope', code: 'VV_FORBIDDEN', status: 403 });
    const waiting = sandbox.call(0, 'never', []);
    sandbox.close(new Error('sandbox gone'));
    await expect(waiting).rejects.toThrow('sandbox gone');
    await expect(sandbox.call(0, 'fail', [])).rejects.toThrow('sandbox gone');
  });
});
