import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readPackageEntries } from '@valueverse/plugin-sdk/package';
import { freePort, waitFor } from '../support/host-process';

// The standalone registry (`cli.js serve`) serves this workspace's SDK tarballs at R/sdk, with every @valueverse
// dependency pointing at a sibling tarball under its public URL: what an outside author's npm install reads. The
// host's mount is exercised end to end by outside-author.test.ts.
const repo = resolve(__dirname, '..', '..');
const cli = ['--conditions=@valueverse/source', '-r', join(repo, 'test/bench/register-ts.js'), join(repo, 'marketplace/src/cli.ts')];
const PUBLIC_R = 'https://plugins.example.com/api/v1/marketplace';
const version = (dir: string) => (JSON.parse(readFileSync(join(repo, dir, 'package.json'), 'utf8')) as { version: string }).version;

describe('SDK tarballs from the standalone registry', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'vv-sdk-served-'));
  let child: ChildProcess;
  let R: string;
  beforeAll(async () => {
    // Tarballs are made from dist/ (tsc -b is incremental: quick when nothing changed).
    const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: repo, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`tsc -b failed:\n${build.stdout}${build.stderr}`);
    const port = await freePort();
    R = `http://127.0.0.1:${port}/api/v1/marketplace`;
    child = spawn(process.execPath, [...cli, 'serve'], {
      cwd: repo,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? tmpdir(),
        PORT: String(port),
        VV_DATA_DIR: dataDir,
        VV_MARKETPLACE_ADMIN_TOKEN: 'sdk-served-admin-token-0123456789abcdef',
        VV_MARKETPLACE_PUBLIC_URL: PUBLIC_R,
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    await waitFor(async () => ((await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200 ? true : undefined), 60_000, 'standalone registry ready');
  }, 180_000);
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the SDK, the testing package, the kernel and its backends, and the first-party API packages under the public URL', async () => {
    const res = await fetch(`${R}/sdk`);
    expect(res.status).toBe(200);
    const { packages } = (await res.json()) as { packages: { name: string; version: string; url: string }[] };
    const sdk = version('plugin-sdk');
    expect(packages).toEqual(
      expect.arrayContaining([
        { name: '@valueverse/plugin-sdk', version: sdk, url: `${PUBLIC_R}/sdk/valueverse-plugin-sdk-${sdk}.tgz` },
        { name: '@valueverse/plugin-testing', version: version('plugin-testing'), url: `${PUBLIC_R}/sdk/valueverse-plugin-testing-${version('plugin-testing')}.tgz` },
        { name: '@valueverse/kernel', version: version('kernel'), url: `${PUBLIC_R}/sdk/valueverse-kernel-${version('kernel')}.tgz` },
        { name: '@valueverse/backend-defaults', version: version('backends'), url: `${PUBLIC_R}/sdk/valueverse-backend-defaults-${version('backends')}.tgz` },
        {
          name: '@valueverse/plugin-calculation',
          version: version('plugins/calculation'),
          url: `${PUBLIC_R}/sdk/valueverse-plugin-calculation-${version('plugins/calculation')}.tgz`,
        },
      ]),
    );
    // Neither the host, the registry itself nor a plugin without an ./api entry is offered.
    const names = packages.map((p) => p.name);
    for (const absent of ['@valueverse/host', '@valueverse/marketplace', '@valueverse/plugin-value-amplifier', '@valueverse/plugin-ai-openai']) expect(names).not.toContain(absent);
  });

  it("serves a plugin's API package with no implementation, its SDK dependency a sibling URL; an unknown file is 404", async () => {
    const res = await fetch(`${R}/sdk/valueverse-plugin-value-architect-${version('plugins/value-architect')}.tgz`);
    expect(res.status).toBe(200);
    const entries = await readPackageEntries(Buffer.from(await res.arrayBuffer()));
    expect([...entries.keys()].sort()).toEqual(['dist/value-models-api.d.ts', 'dist/value-models-api.js', 'package.json', 'plugin.json']);
    expect(JSON.parse(entries.get('package.json')!.toString('utf8')).dependencies).toEqual({
      '@valueverse/plugin-sdk': `${PUBLIC_R}/sdk/valueverse-plugin-sdk-${version('plugin-sdk')}.tgz`,
      '@valueverse/plugin-calculation': `${PUBLIC_R}/sdk/valueverse-plugin-calculation-${version('plugins/calculation')}.tgz`,
    });
    const missing = await fetch(`${R}/sdk/valueverse-host-0.1.0.tgz`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
