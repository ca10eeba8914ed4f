/**
 * One side of the kernel throughput benchmark, run as its own process so the load generator does not share its
 * event loop: `bare` (Koa + @koa/router) or `kernel` (the whole kernel path). Prints `{"port", "token"}` on stdout
 * once listening, then serves until killed.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { Router } from '@koa/router';
import { MemoryKernelStore, SecretBox, createKernel, createKernelLogger } from '@valueverse/kernel';
import { coreServices, definePlugin } from '@valueverse/plugin-sdk';

const handler = () => ({ ok: true, value: 42 });

async function main(side: string): Promise<void> {
  if (side === 'bare') {
    const app = new Koa();
    const router = new Router();
    router.get('/api/v1/bench/ping', (ctx) => {
      ctx.body = handler();
    });
    app.use(router.routes());
    const server = app.listen(0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, token: '' })}\n`);
    return;
  }
  const store = new MemoryKernelStore();
  await store.createTenant({ id: 'acme', name: 'Acme' });
  const kernel = await createKernel({
    store,
    secrets: new SecretBox(randomBytes(32)),
    logger: createKernelLogger({ level: 'silent' }),
    plugins: [
      {
        manifest: { id: 'bench', version: '1.0.0', displayName: 'Bench', kernel: '^1.0.0', main: 'dist/index.js', routes: ['/bench'] },
        plugin: definePlugin({ deps: { http: coreServices.http }, setup: ({ http }) => http.route({ method: 'GET', path: '/bench/ping', handler }) }),
      },
    ],
  });
  await kernel.pluginSets.change('acme', 'bench', { enabled: true }, { cascade: false });
  const server = await kernel.listen(0);
  const token = await kernel.tokens.issue({ sub: 'u1', tid: 'acme', role: 'member', pa: false });
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port, token })}\n`);
}

void main(process.argv[2] ?? 'kernel');
