/**
 * A plugin written outside this repository tests with @valueverse/plugin-testing as its author would: the SDK,
 * kernel, its default backends and the testing package are packed (`npm pack`) and installed into a plugin scaffolded under the system's
 * temporary directory, whose jest configuration is the testing package's preset and nothing else. Dependencies come
 * from the npm cache (`--prefer-offline`); the packages' dist/ is built first (tsc -b, incremental).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..');
const packages = ['plugin-sdk', 'kernel', 'backends', 'plugin-testing'] as const;

/** The environment without npm's own variables (npm test sets npm_config_* for the repo's workspace). */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
}

function run(command: string, args: readonly string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env: cleanEnv(), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
}

const files: Record<string, string> = {
  'plugin.json': JSON.stringify(
    { id: 'hello-outside', version: '1.0.0', displayName: 'Hello from outside', kernel: '^1.0.0', main: 'dist/index.js', routes: ['/hello-outside'] },
    null,
    2,
  ),
  'jest.config.js': "module.exports = { preset: '@valueverse/plugin-testing' };\n",
  'src/index.ts': `import { coreServices, definePlugin } from '@valueverse/plugin-sdk';

export const plugin = definePlugin({
  deps: { http: coreServices.http },
  setup({ http }) {
    http.route({
      method: 'GET',
      path: '/hello-outside/:name',
      schema: { params: { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } } },
      handler: (request) => ({ greeting: \`Hello, \${request.params['name']}\`, tenant: request.tenant.id }),
    });
  },
});
`,
  'src/plugin.test.ts': `import { resolve } from 'node:path';
import { checkManifest, createTestKernel, type TestKernel } from '@valueverse/plugin-testing';

describe('hello-outside', () => {
  let k: TestKernel;
  beforeAll(async () => {
    k = await createTestKernel({ plugins: [{ dir: resolve(__dirname, '..') }] });
  });
  afterAll(() => k.close());

  it('has a valid manifest', () => {
    expect(checkManifest(require('../plugin.json')).id).toBe('hello-outside');
  });

  it('answers its route for the tenant, and 400 to a name the schema refuses', async () => {
    const res = await k.request('GET', '/api/v1/hello-outside/ada');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ greeting: 'Hello, ada', tenant: 'acme' });
    expect((await k.request('GET', '/api/v1/hello-outside/' + 'x'.repeat(21))).body.code).toBe('VV_VALIDATION');
  });
});
`,
};

describe('a plugin outside the repository', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vv-outside-plugin-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs the packed SDK, kernel and testing package and passes its jest test with only the preset as config', () => {
    const started = Date.now();
    const timings: string[] = [];
    const lap = (what: string, since: number) => timings.push(`${what} ${((Date.now() - since) / 1000).toFixed(1)} s`);

    let t = Date.now();
    run(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'plugin-testing'], repo);
    lap('tsc -b', t);

    t = Date.now();
    const tarballs = packages.map((pkg) => {
      const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], join(repo, pkg))) as { filename: string }[];
      return [pkg, `file:./${packed!.filename}`] as const;
    });
    lap('npm pack', t);

    const tarball = Object.fromEntries(tarballs);
    const manifest = {
      name: 'vv-plugin-hello-outside',
      version: '1.0.0',
      private: true,
      dependencies: { '@valueverse/plugin-sdk': tarball['plugin-sdk'] },
      devDependencies: {
        '@valueverse/kernel': tarball['kernel'],
        '@valueverse/backend-defaults': tarball['backends'],
        '@valueverse/plugin-testing': tarball['plugin-testing'],
        jest: '30.5.2',
      },
    };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(join(dir, file, '..'), { recursive: true });
      writeFileSync(join(dir, file), text);
    }

    t = Date.now();
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], dir);
    lap('npm install', t);

    t = Date.now();
    const jest = spawnSync(process.execPath, [join(dir, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci'], { cwd: dir, env: cleanEnv(), encoding: 'utf8' });
    lap('jest', t);
    lap('total', started);
    process.stdout.write(`plugin outside the repo (${dir}): ${timings.join(', ')}\n`);
    // jest writes its report and summary to stderr.
    expect({ status: jest.status, report: jest.stderr }).toEqual({ status: 0, report: expect.stringMatching(/Tests:\s+2 passed, 2 total/) });
  }, 300_000);
});
