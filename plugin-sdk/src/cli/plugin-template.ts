/** The registry a new plugin installs the SDK from when `create` is not told otherwise: the local host's own marketplace. */
export const DEFAULT_REGISTRY_URL = 'http://127.0.0.1:3000/api/v1/marketplace';

/**
 * The tool versions a scaffolded plugin pins, the ones this repository builds and tests with (a test keeps them
 * equal to the root package.json), so a plugin's tests run on the same jest, swc and TypeScript as the SDK's.
 */
export const TOOL_VERSIONS = {
  '@swc/core': '1.16.22',
  '@swc/jest': '0.2.39',
  '@types/jest': '30.0.0',
  '@types/node': '24.19.4',
  jest: '30.5.2',
  typescript: '5.9.3',
} as const;

export interface PluginTemplateOptions {
  /** The plugin id (`^[a-z][a-z0-9-]{1,48}$`). */
  readonly id: string;
  /** The registry base URL `R` whose `R/sdk/` serves the SDK tarballs. */
  readonly registry: string;
  /** Version of `@valueverse/plugin-sdk` (and of `@valueverse/plugin-testing`, released with it). */
  readonly sdkVersion: string;
}

/** `@scope/name` at `1.2.3` → `R/sdk/scope-name-1.2.3.tgz`, the file name the registry serves it under (npm pack's). */
export function sdkTarballUrl(registry: string, name: string, version: string): string {
  return `${registry}/sdk/${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function titleOf(id: string): string {
  return id
    .split('-')
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * The files of a new plugin folder, by relative path: a valid manifest owning one route prefix, a module with one
 * route, a test that boots a real kernel and calls that route, build and test configuration, README and .gitignore.
 * Dependencies on the SDK and its testing package are tarball URLs under `registry`, so `npm install` needs no
 * scoped npm registry.
 */
export function pluginTemplate({ id, registry, sdkVersion }: PluginTemplateOptions): ReadonlyMap<string, string> {
  const title = titleOf(id);
  const files = new Map<string, string>();
  files.set('plugin.json', json({ id, version: '1.0.0', displayName: title, description: `The ${title} plugin`, kernel: '^1.0.0', main: 'dist/index.js', routes: [`/${id}`] }));
  files.set(
    'package.json',
    json({
      name: id,
      version: '1.0.0',
      description: `The ${title} plugin for ValueVerse`,
      private: true,
      license: 'UNLICENSED',
      type: 'commonjs',
      main: 'dist/index.js',
      scripts: { build: 'tsc -p tsconfig.build.json', test: 'jest', typecheck: 'tsc -p tsconfig.json --noEmit' },
      dependencies: { '@valueverse/plugin-sdk': sdkTarballUrl(registry, '@valueverse/plugin-sdk', sdkVersion) },
      devDependencies: { '@valueverse/plugin-testing': sdkTarballUrl(registry, '@valueverse/plugin-testing', sdkVersion), ...TOOL_VERSIONS },
    }),
  );
  files.set(
    'tsconfig.json',
    json({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        // Node16 resolution reads package.json "exports", which is how `@valueverse/plugin-<id>/api` entries resolve.
        module: 'Node16',
        moduleResolution: 'Node16',
        strict: true,
        esModuleInterop: true,
        resolveJsonModule: true,
        skipLibCheck: true,
        useDefineForClassFields: false,
        sourceMap: true,
        rootDir: 'src',
        outDir: 'dist',
        types: ['node', 'jest'],
      },
      include: ['src'],
    }),
  );
  files.set('tsconfig.build.json', json({ extends: './tsconfig.json', compilerOptions: { types: ['node'] }, exclude: ['src/**/*.test.ts'] }));
  files.set(
    'jest.config.js',
    "// The testing package's preset compiles TypeScript with swc as the kernel does; nothing else is needed.\nmodule.exports = { preset: '@valueverse/plugin-testing' };\n",
  );
  files.set(
    'src/index.ts',
    `import { coreServices, definePlugin } from '@valueverse/plugin-sdk';

/**
 * The ${title} plugin. The kernel calls \`setup\` with exactly the services named in \`deps\`; each one must be
 * justified by plugin.json (routes under a prefix listed in "routes", \`coreServices.db\` with the "db" permission, …).
 */
export const plugin = definePlugin({
  deps: { http: coreServices.http },
  setup({ http }) {
    http.route({
      method: 'GET',
      path: '/${id}/hello/:name',
      summary: 'Greets a caller by name, in the caller’s tenant',
      schema: { params: { type: 'object', properties: { name: { type: 'string', minLength: 1, maxLength: 40 } }, required: ['name'] } },
      handler: (request) => ({ greeting: \`Hello, \${request.params['name']}\`, tenant: request.tenant.id }),
    });
  },
});
`,
  );
  files.set(
    'src/index.test.ts',
    `import { resolve } from 'node:path';
import { checkManifest, createTestKernel, type TestKernel } from '@valueverse/plugin-testing';

// A real kernel in this process, with the plugin enabled for the tenant "acme", answering real HTTP requests.
describe('${id}', () => {
  let kernel: TestKernel;
  beforeAll(async () => {
    kernel = await createTestKernel({ plugins: [{ dir: resolve(__dirname, '..') }] });
  });
  afterAll(() => kernel.close());

  it('has a manifest the kernel accepts', () => {
    expect(checkManifest(require('../plugin.json')).id).toBe('${id}');
  });

  it('greets the caller in their tenant, and refuses a name its schema does not allow', async () => {
    const res = await kernel.request('GET', '/api/v1/${id}/hello/ada');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ greeting: 'Hello, ada', tenant: 'acme' });

    const tooLong = await kernel.request('GET', \`/api/v1/${id}/hello/\${'x'.repeat(41)}\`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.code).toBe('VV_VALIDATION');
  });
});
`,
  );
  files.set(
    'README.md',
    `# ${title}

A ValueVerse plugin (id \`${id}\`), created with \`vv-plugin create\`. Its SDK comes from the registry at
${registry} (see package.json).

\`\`\`sh
npm install          # the SDK and test kernel from the registry, the rest from npm
npm test             # boots a real kernel with this plugin and calls its route
npm run build        # compiles src/ to dist/ (plugin.json "main")
\`\`\`

Ship it as one signed package:

\`\`\`sh
npx vv-plugin validate
npx vv-plugin pack --out ${id}-1.0.0.vvpkg
npx vv-plugin keygen --out publisher.pem        # once: publisher.pem (private; keep it out of version control) and publisher.pem.pub
npx vv-plugin sign ${id}-1.0.0.vvpkg --key publisher.pem
npx vv-plugin publish ${id}-1.0.0.vvpkg --registry ${registry} --token <publisher token>
\`\`\`

\`npx vv-plugin --help\` lists every command. The ValueVerse repository's docs/writing-plugins.md describes the
manifest, the services a plugin may use, and "Create, test, pack, sign, publish, install" end to end.
`,
  );
  files.set('.gitignore', 'node_modules/\ndist/\ncoverage/\n*.vvpkg\n# Signing keys: the private key must never be committed.\n*.pem\n');
  return files;
}
