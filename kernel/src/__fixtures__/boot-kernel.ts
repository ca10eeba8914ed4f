import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Role } from '@valueverse/plugin-sdk';
import type { TestResponse } from '@valueverse/plugin-testing';
import { PasswordHasher } from '../identity/password-hasher';
import { createKernel, type Kernel, type KernelOptions } from '../kernel';
import { createKernelLogger } from '../observability/kernel-logger';
import { MemoryKernelStore } from '../tenancy/memory-kernel-store';
import { SecretBox } from '../tenancy/secret-box';

/** A kernel on a loopback port, built with options `createTestKernel` does not expose (stores, limits, CORS, logger). */
export interface BootedKernel {
  readonly kernel: Kernel;
  readonly url: string;
  readonly store: MemoryKernelStore;
  request(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string>; tenant?: string; role?: Role; token?: string | null }): Promise<TestResponse>;
  close(): Promise<void>;
}

/** Boots `createKernel` with in-memory stores, `tenants` created and every running plugin enabled for each. */
export async function bootKernel(options: Partial<KernelOptions> & { tenants?: readonly string[] } = {}): Promise<BootedKernel> {
  const store = new MemoryKernelStore();
  const tenants = options.tenants ?? ['acme'];
  for (const id of tenants) await store.createTenant({ id, name: id });
  const kernel = await createKernel({
    store,
    secrets: new SecretBox(randomBytes(32)),
    logger: createKernelLogger({ level: 'silent' }),
    passwordHasher: new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
    timeouts: { setupMs: 2000, startMs: 2000, stopMs: 2000 },
    ...options,
  });
  for (const tenant of tenants) {
    for (const plugin of kernel.plugins().filter((p) => p.state === 'running')) await kernel.pluginSets.change(tenant, plugin.id, { enabled: true }, { cascade: true });
  }
  const server = await kernel.listen(0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const request: BootedKernel['request'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    const tenant = opts.tenant ?? tenants[0]!;
    const role = opts.role ?? 'tenant-admin';
    const bearer =
      opts.token === undefined ? await kernel.tokens.issue({ sub: `user-${role}`, tid: tenant, role, email: `${role}@${tenant}.test`, pa: role === 'platform-admin' }) : opts.token;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (opts.body !== undefined) headers['content-type'] ??= 'application/json';
    const res = await fetch(url + path, { method, headers, body: opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: /json/.test(res.headers.get('content-type') ?? '') && text ? JSON.parse(text) : text };
  };
  return { kernel, url, store, request, close: () => kernel.close({ drainMs: 1000 }) };
}
