import type { EventEnvelope, PluginManifest } from '@valueverse/plugin-sdk';
import { createKernelLogger } from '../observability/kernel-logger';
import type { EventTransport } from './event-transport';
import { InProcessEventBus } from './in-process-event-bus';

const logger = createKernelLogger({ level: 'silent' });
const manifest = (id: string, permissions: string[]): PluginManifest => ({ id, version: '1.0.0', displayName: id, kernel: '^1.0.0', main: 'x', permissions });

/** Records what the bus sends and lets a test play "another instance" through `receive`. */
class RecordingTransport implements EventTransport {
  readonly sent: EventEnvelope[] = [];
  receive: ((envelope: EventEnvelope) => void) | undefined;
  closed = false;
  async start(receive: (envelope: EventEnvelope) => void): Promise<void> {
    this.receive = receive;
  }
  async send(envelope: EventEnvelope): Promise<void> {
    this.sent.push(envelope);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const envelope = (name: string, extra: Partial<EventEnvelope> = {}): EventEnvelope => ({
  id: `e-${Math.random()}`,
  name,
  tenantId: 'acme',
  source: 'remote-plugin',
  occurredAt: new Date().toISOString(),
  payload: { n: 1 },
  ...extra,
});

const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('InProcessEventBus with a transport', () => {
  let transport: RecordingTransport;
  let bus: InProcessEventBus;

  beforeEach(async () => {
    transport = new RecordingTransport();
    bus = new InProcessEventBus(logger, transport);
    await bus.start();
  });

  it('delivers an event published here to local subscribers once and hands it to the transport once', async () => {
    const got: string[] = [];
    bus.subscribe('order.*', (e) => void got.push(e.name), 'test');
    await bus.forPlugin(manifest('orders', ['events.publish:order.*'])).publish('order.placed', 'acme', { total: 3 });
    await flush();
    expect(got).toEqual(['order.placed']);
    expect(transport.sent).toEqual([expect.objectContaining({ name: 'order.placed', tenantId: 'acme', source: 'orders', payload: { total: 3 } })]);
  });

  it('delivers an event of another instance to local subscribers, and does not send it back out', async () => {
    const got: EventEnvelope[] = [];
    bus.forPlugin(manifest('listener', ['events.subscribe:order.*'])).subscribe('order.*', (e) => void got.push(e));
    const remote = envelope('order.shipped');
    transport.receive!(remote);
    await flush();
    expect(got).toEqual([remote]);
    expect(transport.sent).toEqual([]);
  });

  it('keeps kernel events from plugins and plain subscribers, and gives them to subscribers that ask for them', async () => {
    const plugin: string[] = [];
    const plain: string[] = [];
    const kernel: string[] = [];
    bus.forPlugin(manifest('nosy', ['events.subscribe:*'])).subscribe('*', (e) => void plugin.push(e.name));
    bus.subscribe('*', (e) => void plain.push(e.name), 'test');
    bus.subscribe('*', (e) => void kernel.push(e.name), 'test', { kernelEvents: true });
    await bus.publishKernelEvent('plugin-set.changed', 'acme', { changes: [] });
    transport.receive!(envelope('plugin-set.changed', { source: 'kernel' }));
    await flush();
    expect(plugin).toEqual([]);
    expect(plain).toEqual([]);
    expect(kernel).toEqual(['plugin-set.changed', 'plugin-set.changed']);
    expect(transport.sent.map((e) => [e.name, e.source])).toEqual([['plugin-set.changed', 'kernel']]);
  });

  it('refuses a plugin whose id is "kernel" to publish: it could pass its events off as the kernel\'s', async () => {
    await expect(bus.forPlugin(manifest('kernel', ['events.publish:*'])).publish('plugin-set.changed', 'acme', {})).rejects.toMatchObject({ code: 'VV_FORBIDDEN' });
    expect(transport.sent).toEqual([]);
  });

  it('holds an installed package to the publish patterns it was granted, whatever its manifest declares', async () => {
    // The manifest asks for everything; the installer granted its namespace only (no operator approved `*`).
    const events = bus.forPlugin(manifest('acme-crm', ['events.publish:*']), undefined, ['acme-crm.*']);
    await events.publish('acme-crm.deal.won', 'acme', {});
    await expect(events.publish('commitment.signed', 'acme', {})).rejects.toMatchObject({ code: 'VV_FORBIDDEN' });
    expect(transport.sent.map((e) => e.name)).toEqual(['acme-crm.deal.won']);
  });

  it('closes its transport on close()', async () => {
    await bus.close();
    expect(transport.closed).toBe(true);
  });
});
