/**
 * Issue #15 item 3, and docs/writing-plugins.md "Create, test, pack, sign, publish, install" run as written: a host
 * (embedded database) serves the SDK as npm tarballs at R/sdk; in a folder under the system's temporary directory,
 * outside this repository, the document's shell blocks run one after another — `vv-plugin create` from the SDK
 * tarball through npx, `npm install && npm test` (our packages from R, third-party ones from the npm registry,
 * through the npm cache), build, validate and pack, keygen, sign, verify. The signed package is then verified with
 * the library a host uses. Then the blocks that share one shell — sign in as the host's platform admin, create a
 * publisher and register its key, `vv-plugin publish` — put it in the host's registry. The trust → install → enable
 * blocks need the host's installs; the end-to-end marketplace test runs those.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { keyIdOf, verifyPackage } from '@valueverse/plugin-sdk/package';
import { authorEnv, removeNpxInstalls, runStep } from '../support/author-shell';
import { docShellSteps } from '../support/doc-shell-steps';
import { startHostProcess, type HostProcess } from '../support/host-process';

const repo = resolve(__dirname, '..', '..');
const DOC = join(repo, 'docs', 'writing-plugins.md');
/** The blocks this test runs, in order; the document may have more (publish onwards), never fewer. */
const RUN_HERE = ['create', 'test', 'pack', 'keygen', 'sign', 'verify'] as const;
/** Blocks that share one shell (they set ADMIN_TOKEN, PUBLISHER_TOKEN), run here after RUN_HERE. */
const PUBLISH_HERE = ['sign-in', 'publisher', 'publish'] as const;
const PLUGIN_ID = 'time-tracking';

describe('a plugin author outside the repository, following docs/writing-plugins.md', () => {
  let host: HostProcess;
  let root: string;
  beforeAll(async () => {
    // The SDK tarballs are built from dist/; tsc -b is incremental, so this is quick when nothing changed.
    const build = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'tsconfig.build.json'], { cwd: repo, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`tsc -b failed:\n${build.stdout}${build.stderr}`);
    host = await startHostProcess({});
    root = mkdtempSync(join(tmpdir(), 'vv-outside-author-'));
  }, 180_000);
  afterAll(async () => {
    if (host) removeNpxInstalls(host.url, authorEnv(host.url));
    await host?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
    // Removing two node_modules trees of ~500 packages and stopping the host take a while on a loaded machine.
  }, 120_000);

  it('creates, installs and tests, builds, validates, packs, generates a key, signs and verifies, as written; a host accepts the package from that signer only', async () => {
    expect(root.startsWith(repo)).toBe(false);
    const steps = docShellSteps(DOC);
    expect(steps.map((s) => s.name)).toEqual([...RUN_HERE, ...PUBLISH_HERE, 'trust', 'install', 'enable']);
    const env = authorEnv(host.url);
    const timings: string[] = [];
    const outputs: Record<string, string> = {};
    const pluginDir = join(root, PLUGIN_ID);
    for (const name of RUN_HERE) {
      const step = steps.find((s) => s.name === name)!;
      // `create` runs where the author starts; the document says every later block runs inside the new folder.
      const { output, seconds } = runStep(step, name === 'create' ? root : pluginDir, env);
      outputs[name] = output;
      timings.push(`${name} ${seconds.toFixed(1)} s`);
    }
    const shared = PUBLISH_HERE.map((name) => steps.find((s) => s.name === name)!);
    const published = runStep({ name: PUBLISH_HERE.join(' + '), line: shared[0]!.line, script: shared.map((s) => s.script).join('\n') }, pluginDir, env);
    timings.push(`${PUBLISH_HERE.join(' + ')} ${published.seconds.toFixed(1)} s`);
    process.stdout.write(`outside author (${root}, host ${host.url}): ${timings.join(', ')}\n`);

    // The scaffold installed our packages from the host's registry, not from a checkout or the npm registry.
    const lock = JSON.parse(readFileSync(join(pluginDir, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> };
    for (const name of ['plugin-sdk', 'plugin-testing', 'kernel', 'backend-defaults']) {
      expect(lock.packages[`node_modules/@valueverse/${name}`]?.resolved).toMatch(new RegExp(`^${host.url}/api/v1/marketplace/sdk/valueverse-${name}-[0-9.]+\\.tgz$`));
    }
    // jest writes its summary to stderr: both tests of the scaffold ran and passed.
    expect(outputs['test']).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(existsSync(join(pluginDir, `${PLUGIN_ID}-1.0.0.vvpkg`))).toBe(true);

    const pkg = readFileSync(join(pluginDir, `${PLUGIN_ID}-1.0.0.vvpkg`));
    const publicKeyPem = readFileSync(join(pluginDir, 'publisher.pem.pub'), 'utf8');
    const verified = await verifyPackage(pkg, { trustedKeys: [{ keyId: keyIdOf(publicKeyPem), publicKeyPem }] });
    expect({ id: verified.pluginId, version: verified.version, signer: verified.signer, main: verified.files.has('dist/index.js') }).toEqual({
      id: PLUGIN_ID,
      version: '1.0.0',
      signer: { keyId: keyIdOf(publicKeyPem) },
      main: true,
    });
    await expect(verifyPackage(pkg, { trustedKeys: [] })).rejects.toMatchObject({ code: 'VV_SIGNER_UNTRUSTED' });

    // Published: the registry lists the version with the signer's key and the package's integrity.
    const details = (await (await fetch(`${host.url}/api/v1/marketplace/packages/${PLUGIN_ID}`)).json()) as {
      versions: { version: string; signer: { keyId: string }; integrity: string }[];
    };
    expect(details.versions).toEqual([expect.objectContaining({ version: '1.0.0', signer: { keyId: keyIdOf(publicKeyPem) }, integrity: verified.integrity })]);
  }, 600_000);
});
