import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isVvError } from '@valueverse/plugin-sdk';
import { loadEnvConfig } from './config/env-config';
import { startHost, type RunningHost } from './start-host';

// Issue #10, finding 8: a missing VV_PLUGINS_DIR stops the boot naming the variable; readiness says `degraded`
// (200, the failed plugins listed) when a plugin is not running; the admin password is printed at first boot only
// when it was generated. Embedded database, a plugins folder of this test's own.
describe('startHost', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'vv-start-host-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  /** A plugins folder with one plugin whose plugin.json is invalid: it is `failed`, everything else boots. */
  function pluginsWithBrokenOne(): string {
    const dir = join(scratch, `plugins-${Math.random().toString(36).slice(2)}`);
    mkdirSync(join(dir, 'broken'), { recursive: true });
    writeFileSync(join(dir, 'broken', 'plugin.json'), JSON.stringify({ id: 'broken', version: 'not-semver' }));
    return dir;
  }

  async function boot(env: Record<string, string>): Promise<{ host: RunningHost; printed: string }> {
    const config = { ...loadEnvConfig({ VV_DATA_DIR: join(scratch, `data-${Math.random().toString(36).slice(2)}`), LOG_LEVEL: 'silent', ...env }), port: 0 };
    let printed = '';
    const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed += String(chunk);
      return true;
    });
    try {
      return { host: await startHost(config, { preferSource: true }), printed };
    } finally {
      write.mockRestore();
    }
  }

  it.each([
    ['does not exist', () => join(scratch, 'no-such-folder')],
    [
      'is a file',
      () => {
        const file = join(scratch, 'a-file');
        writeFileSync(file, '');
        return file;
      },
    ],
  ])('refuses to boot when VV_PLUGINS_DIR %s, naming the variable', async (_what, path) => {
    const dir = path();
    const error = await boot({ VV_PLUGINS_DIR: dir }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isVvError(error) && error.code).toBe('VV_CONFIG_INVALID');
    if (!isVvError(error)) return;
    expect(error.errors).toEqual([{ pointer: '/VV_PLUGINS_DIR', in: 'env', message: expect.stringContaining(dir) }]);
    expect(error.message).toContain('VV_PLUGINS_DIR');
  });

  it('prints an operator-supplied admin password nowhere, and answers readiness `degraded` listing the plugin that is not running', async () => {
    const password = 'operator chosen secret 42';
    const { host, printed } = await boot({ VV_PLUGINS_DIR: pluginsWithBrokenOne(), VV_ADMIN_PASSWORD: password });
    try {
      expect(printed).toContain('First boot: sign in as admin@example.com with the password set in VV_ADMIN_PASSWORD');
      expect(printed).toContain(`runtime: node ${process.version}`);
      expect(printed).not.toContain(password);
      const res = await fetch(`${host.url}/health/ready`);
      const body = (await res.json()) as { status: string; notRunning: string[]; plugins: { id: string; state: string }[] };
      expect(res.status).toBe(200);
      expect(body.status).toBe('degraded');
      expect(body.notRunning).toEqual(['invalid:broken']);
      expect(body.plugins).toEqual([expect.objectContaining({ id: 'invalid:broken', state: 'failed' })]);
    } finally {
      await host.stop();
    }
  }, 90_000);

  it('prints a generated admin password once, and it signs in', async () => {
    const { host, printed } = await boot({ VV_PLUGINS_DIR: join(scratch, 'empty-plugins') });
    try {
      const password = /with password (\S+) {2}\(generated, shown once/.exec(printed)?.[1];
      expect(password).toBeDefined();
      const login = await fetch(`${host.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@example.com', password }),
      });
      expect(login.status).toBe(200);
      const ready = await fetch(`${host.url}/health/ready`);
      expect(await ready.json()).toMatchObject({ status: 'ready', notRunning: [], dependencies: { database: 'ok' } });
    } finally {
      await host.stop();
    }
  }, 90_000);

  beforeAll(() => mkdirSync(join(scratch, 'empty-plugins')));
});
