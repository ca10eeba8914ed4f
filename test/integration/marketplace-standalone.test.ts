import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort, waitFor } from '../support/host-process';

// `node marketplace/dist/cli.js serve` as its own process (the TypeScript sources through the swc require hook, as
// the host's process tests do): the embedded database on disk in VV_DATA_DIR survives a restart, SIGTERM stops it
// cleanly, and a bad command or environment is refused with a message.
const repo = resolve(__dirname, '..', '..');
const cli = ['--conditions=@valueverse/source', '-r', join(repo, 'test/bench/register-ts.js'), join(repo, 'marketplace/src/cli.ts')];
const ADMIN = 'standalone-admin-token-0123456789abcdef';

describe('the standalone marketplace registry (cli.js serve)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vv-market-cli-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const serve = async (): Promise<{ child: ChildProcess; R: string; exit: Promise<number | null>; output: () => string }> => {
    const port = await freePort();
    const child = spawn(process.execPath, [...cli, 'serve'], {
      cwd: repo,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), PORT: String(port), VV_DATA_DIR: dataDir, VV_MARKETPLACE_ADMIN_TOKEN: ADMIN, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const R = `http://127.0.0.1:${port}/api/v1/marketplace`;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`registry exited with ${child.exitCode}: ${output}`);
        return (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200 ? true : undefined;
      },
      60_000,
      'standalone registry ready',
    );
    return { child, R, exit, output: () => output };
  };

  it('serves the API, keeps its data across a restart, and stops on SIGTERM', async () => {
    const first = await serve();
    expect(first.output()).toContain(`marketplace registry at ${first.R}`);
    const created = await fetch(`${first.R}/publishers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Initech' }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(0);

    const second = await serve();
    try {
      const shown = await fetch(`${second.R}/publishers/${id}`);
      expect(shown.status).toBe(200);
      expect(await shown.json()).toMatchObject({ id, name: 'Initech', keys: [] });
      const missing = await fetch(`${second.R}/nowhere`);
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    } finally {
      second.child.kill('SIGTERM');
      expect(await second.exit).toBe(0);
    }
  }, 120_000);

  it('refuses an unknown command and a bad environment', () => {
    const unknown = spawnSync(process.execPath, [...cli, 'start'], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('Usage: vv-marketplace serve');
    const bad = spawnSync(process.execPath, [...cli, 'serve'], { cwd: repo, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', PORT: 'eighty' } });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('PORT must be an integer');
  }, 120_000);
});
