import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { coreServices, definePlugin, type Role } from '@valueverse/plugin-sdk';
import { PasswordHasher } from '../identity/password-hasher';
import { createKernel, type Kernel, type KernelOptions } from '../kernel';
import { MemoryIdentityStore } from '../identity/identity-store';
import { createKernelLogger } from '../observability/kernel-logger';
import { MemoryKernelStore } from '../tenancy/memory-kernel-store';
import { SecretBox } from '../tenancy/secret-box';
import { manifest } from './kernel-test-support';

export const PASSWORD = 'correct horse battery';

/** A plugin with `GET /notes` (viewers) and `POST /notes` (members), answering who called. */
const notes = {
  manifest: manifest('notes', { routes: ['/notes'], permissions: ['events.publish:notes.*'] }),
  plugin: definePlugin({
    deps: { http: coreServices.http, events: coreServices.events },
    setup({ http, events }) {
      http.route({ method: 'GET', path: '/notes', handler: (req) => ({ user: req.user.id, role: req.user.role, tenant: req.tenant.id }) });
      http.route({
        method: 'POST',
        path: '/notes',
        minRole: 'member',
        handler: async (req) => {
          await events.publish('notes.created', req.tenant.id, { by: req.user.id });
          return { by: req.user.id };
        },
      });
    },
  }),
};

export interface AuthTestKernel {
  readonly kernel: Kernel;
  readonly url: string;
  readonly identityStore: MemoryIdentityStore;
  /** Calls the API; `token` null sends none. */
  call(
    method: string,
    path: string,
    options?: { token?: string | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A platform admin's token (a synthetic user, as the SDK harness makes them). */
  admin(): Promise<string>;
  /** Creates a user with PASSWORD and the given memberships. */
  addUser(id: string, memberships: Record<string, Role>): Promise<void>;
  /** Signs in through the API; the whole answer. */
  login(email: string, body?: Record<string, unknown>): Promise<{ status: number; headers: Headers; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

/** A kernel on memory stores with tenants acme and globex, the `notes` plugin on for both, on a loopback port. */
export async function bootAuthKernel(options: Partial<KernelOptions> = {}): Promise<AuthTestKernel> {
  const store = new MemoryKernelStore();
  for (const id of ['acme', 'globex']) await store.createTenant({ id, name: id });
  const identityStore = new MemoryIdentityStore();
  const kernel = await createKernel({
    store,
    secrets: new SecretBox(randomBytes(32)),
    plugins: [notes],
    identityStore,
    logger: createKernelLogger({ level: 'silent' }),
    passwordHasher: new PasswordHasher({ N: 2 ** 10, r: 8, p: 1 }),
    timeouts: { setupMs: 2000, startMs: 2000, stopMs: 2000 },
    ...options,
  });
  for (const id of ['acme', 'globex']) await kernel.pluginSets.change(id, 'notes', { enabled: true }, { cascade: false });
  const server = await kernel.listen(0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call: AuthTestKernel['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(url + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  };
  return {
    kernel,
    url,
    identityStore,
    call,
    admin: () => kernel.tokens.issue({ sub: 'root', tid: 'acme', role: 'platform-admin', pa: true }),
    addUser: async (id, memberships) => {
      await store.createUser({ id, email: `${id}@example.test`, passwordHash: await kernel.passwords.hash(PASSWORD), platformAdmin: false });
      for (const [tenantId, role] of Object.entries(memberships)) await store.setMembership({ userId: id, tenantId, role });
    },
    login: (email, body = {}) => call('POST', '/api/v1/auth/login', { body: { email, password: PASSWORD, ...body } }),
    close: () => kernel.close({ drainMs: 500 }),
  };
}
