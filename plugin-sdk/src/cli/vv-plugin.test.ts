import { execFileSync, spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPackageEntries } from '../package/read-package-entries';
import { writePackageTarball } from '../package/write-package-tarball';
import type { CliIo } from './cli-command';
import { runVvPlugin, vvPluginCommands } from './vv-plugin';

const SDK = join(__dirname, '..', '..');
const FIXTURE = join(SDK, 'src', 'package', '__fixtures__', 'hello-plugin');
let work: string;

interface Run {
  code: number;
  out: string;
  err: string;
}

async function vvPlugin(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = { cwd: work, env: {}, out: (line) => out.push(line), err: (line) => err.push(line) };
  const code = await runVvPlugin(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'vv-plugin-cli-'));
  await cp(FIXTURE, join(work, 'hello'), { recursive: true });
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('vv-plugin', () => {
  it("lists every command in --help, and a command's options with <command> --help", async () => {
    const help = await vvPlugin('--help');
    expect(help.code).toBe(0);
    for (const command of vvPluginCommands) expect(help.out).toContain(`  ${command.name}`);
    const pack = await vvPlugin('pack', '--help');
    expect(pack).toMatchObject({ code: 0, out: expect.stringContaining('--out <file>') });
  });

  it('exits 2 for an unknown command or option, naming it', async () => {
    expect(await vvPlugin('frobnicate')).toMatchObject({ code: 2, err: expect.stringContaining('unknown command "frobnicate"') });
    expect(await vvPlugin('pack', '--outt', 'x')).toMatchObject({ code: 2, err: expect.stringContaining('--outt') });
    expect(await vvPlugin('keygen')).toMatchObject({ code: 2, err: expect.stringContaining('--out <file> is required') });
  });

  describe('validate', () => {
    it('accepts a good plugin folder', async () => {
      expect(await vvPlugin('validate', 'hello')).toMatchObject({ code: 0, out: expect.stringContaining('ok hello-fixture@1.2.3') });
    });

    it('prints the manifest problems with their pointers and exits 1', async () => {
      const manifest = JSON.parse(await readFile(join(work, 'hello', 'plugin.json'), 'utf8'));
      await writeFile(join(work, 'hello', 'plugin.json'), JSON.stringify({ ...manifest, version: 'one', colour: 'blue' }));
      const run = await vvPlugin('validate', 'hello');
      expect(run.code).toBe(1);
      expect(run.err).toContain('error VV_MANIFEST_INVALID');
      expect(run.err).toContain('/version must be a semver version');
      expect(run.err).toContain('/colour unknown key');
    });

    it('refuses a package.json that disagrees with plugin.json', async () => {
      const pkg = JSON.parse(await readFile(join(work, 'hello', 'package.json'), 'utf8'));
      await writeFile(join(work, 'hello', 'package.json'), JSON.stringify({ ...pkg, version: '0.0.1' }));
      expect(await vvPlugin('validate', 'hello')).toMatchObject({ code: 1, err: expect.stringContaining('error VV_PACKAGE_INVALID') });
    });

    it('refuses a folder without a plugin.json', async () => {
      expect(await vvPlugin('validate', '.')).toMatchObject({ code: 1, err: expect.stringContaining('VV_PACKAGE_INVALID') });
    });
  });

  it('pack → keygen → sign → verify round trip, with the exit codes a script relies on', async () => {
    expect(await vvPlugin('pack', 'hello', '--out', 'hello.vvpkg')).toMatchObject({ code: 0, out: expect.stringContaining('packed hello-fixture@1.2.3') });
    const keygen = await vvPlugin('keygen', '--out', 'key.pem');
    expect(keygen.code).toBe(0);
    const keyId = /keyId ([0-9a-f]{16})/.exec(keygen.out)?.[1];
    expect(keyId).toBeDefined();
    expect((await stat(join(work, 'key.pem'))).mode & 0o777).toBe(0o600);
    await expect(readFile(join(work, 'key.pem.pub'), 'utf8')).resolves.toContain('BEGIN PUBLIC KEY');
    // Keys are never overwritten.
    expect(await vvPlugin('keygen', '--out', 'key.pem')).toMatchObject({ code: 1, err: expect.stringContaining('EEXIST') });

    expect(await vvPlugin('verify', 'hello.vvpkg', '--pubkey', 'key.pem.pub')).toMatchObject({ code: 1, err: expect.stringContaining('VV_SIGNATURE_INVALID') });
    expect(await vvPlugin('verify', 'hello.vvpkg', '--pubkey', 'key.pem.pub', '--allow-unsigned')).toMatchObject({ code: 0, out: expect.stringContaining('signer unsigned') });

    expect(await vvPlugin('sign', 'hello.vvpkg', '--key', 'key.pem')).toMatchObject({ code: 0, out: expect.stringContaining(`with key ${keyId}`) });
    const verified = await vvPlugin('verify', 'hello.vvpkg', '--pubkey', 'key.pem.pub');
    expect(verified.code).toBe(0);
    expect(verified.out).toContain('id hello-fixture');
    expect(verified.out).toContain('version 1.2.3');
    expect(verified.out).toContain(`signer ${keyId}`);

    await vvPlugin('keygen', '--out', 'other.pem');
    expect(await vvPlugin('verify', 'hello.vvpkg', '--pubkey', 'other.pem.pub')).toMatchObject({ code: 1, err: expect.stringContaining(`VV_SIGNER_UNTRUSTED`) });
    expect(await vvPlugin('verify', 'hello.vvpkg')).toMatchObject({ code: 0, out: expect.stringContaining(`signer ${keyId} (signature not checked`) });

    const files = await readPackageEntries(await readFile(join(work, 'hello.vvpkg')));
    files.set('extra.js', Buffer.from('1'));
    await writeFile(join(work, 'tampered.vvpkg'), writePackageTarball(files));
    expect(await vvPlugin('verify', 'tampered.vvpkg', '--pubkey', 'key.pem.pub')).toMatchObject({ code: 1, err: expect.stringContaining('VV_PACKAGE_MODIFIED') });
    expect(await vvPlugin('sign', 'tampered.vvpkg', '--key', 'key.pem')).toMatchObject({ code: 1, err: expect.stringContaining('VV_PACKAGE_MODIFIED') });
  });

  it('pack names the package <id>-<version>.vvpkg by default', async () => {
    expect(await vvPlugin('pack', 'hello')).toMatchObject({ code: 0 });
    await expect(stat(join(work, 'hello-fixture-1.2.3.vvpkg'))).resolves.toBeDefined();
  });

  it('packs a first-party plugin: its dependencies on other plugins stay /api imports', async () => {
    const amplifier = join(SDK, '..', 'plugins', 'value-amplifier');
    const run = await vvPlugin('pack', amplifier, '--out', 'amp.vvpkg');
    expect(run).toMatchObject({ code: 0, out: expect.stringContaining('packed value-amplifier@1.0.0') });
    const main = (await readPackageEntries(await readFile(join(work, 'amp.vvpkg')))).get('dist/index.js')?.toString('utf8') ?? '';
    expect(main).toMatch(/require\("@valueverse\/plugin-value-committer\/api"\)/);
    expect(main).toMatch(/require\("@valueverse\/plugin-sdk"\)/);
  });

  describe('the installed bin', () => {
    beforeAll(() => {
      // bin/vv-plugin.js runs the compiled SDK; build it (incremental) so this test runs what a user runs.
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', SDK], { stdio: 'pipe', timeout: 180_000 });
    }, 200_000);

    it('prints help and exits 0', () => {
      const run = spawnSync(process.execPath, [join(SDK, 'bin', 'vv-plugin.js'), '--help'], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      expect(run.stdout).toContain('usage: vv-plugin <command>');
    });

    it('exits non-zero with the code for a package it refuses', async () => {
      await writeFile(join(work, 'junk.vvpkg'), 'not a package');
      const run = spawnSync(process.execPath, [join(SDK, 'bin', 'vv-plugin.js'), 'verify', 'junk.vvpkg'], { cwd: work, encoding: 'utf8' });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('error VV_PACKAGE_INVALID');
    });
  });
});
