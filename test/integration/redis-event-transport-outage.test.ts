import { createServer } from 'node:net';
import type { PluginManifest } from '@valueverse/plugin-sdk';
import { RedisEventTransport } from '../../backends/src/events/redis-event-transport';
import { InProcessEventBus } from '../../kernel/src/events/in-process-event-bus';
import { createKernelLogger } from '../../kernel/src/observability/kernel-logger';

// The kernel's event bus on the Redis transport of @valueverse/backend-defaults (moved here from
// kernel/src/events/in-process-event-bus.test.ts: the kernel does not import its backends).

const logger = createKernelLogger({ level: 'silent' });
const manifest = (id: string, permissions: string[]): PluginManifest => ({ id, version: '1.0.0', displayName: id, kernel: '^1.0.0', main: 'x', permissions });

describe('RedisEventTransport while Redis is unreachable', () => {
  it('boots, delivers events locally and promptly, and neither throws nor leaves a rejection unhandled', async () => {
    // A port that was free a moment ago: connecting to it is refused, like a Redis that is down.
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = server.address() as { port: number };
        server.close(() => resolve(free));
      });
    });
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const bus = new InProcessEventBus(logger, new RedisEventTransport(`redis://127.0.0.1:${port}`, logger, { connectTimeoutMs: 200 }));
    try {
      const booted = Date.now();
      await bus.start();
      // Waiting for Redis would mean never returning (it stays down); the bounds leave room for a loaded CI machine.
      expect(Date.now() - booted).toBeLessThan(3000);
      const got: string[] = [];
      bus.subscribe('*', (e) => void got.push(e.name), 'test');
      const published = Date.now();
      for (let i = 0; i < 3; i += 1) await bus.forPlugin(manifest('orders', ['events.publish:order.*'])).publish('order.placed', 'acme', { i });
      expect(Date.now() - published).toBeLessThan(2000);
      expect(got).toEqual(['order.placed', 'order.placed', 'order.placed']);
      await new Promise((resolve) => setTimeout(resolve, 300));
    } finally {
      await bus.close();
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });
});
