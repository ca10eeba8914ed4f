import js from '@eslint/js';
import angular from '@angular-eslint/eslint-plugin';
import angularTemplate from '@angular-eslint/eslint-plugin-template';
import angularTemplateParser from '@angular-eslint/template-parser';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'admin-ui/.angular/**', 'coverage/**', 'data/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true, defaultFrom: true, namedFrom: true, namespaceFrom: true } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    // The admin console: angular-eslint's recommended rules for components, and its template rules (recommended and
    // accessibility) for .html templates and the inline templates the processor lifts out of components.
    files: ['admin-ui/src/**/*.ts'],
    plugins: { '@angular-eslint': angular },
    processor: angularTemplate.processors['extract-inline-html'],
    rules: {
      ...angular.configs.recommended.rules,
      '@angular-eslint/component-selector': ['error', { type: 'element', prefix: 'vv', style: 'kebab-case' }],
      '@angular-eslint/directive-selector': ['error', { type: 'attribute', prefix: 'vv', style: 'camelCase' }],
    },
  },
  {
    files: ['admin-ui/src/**/*.html'],
    languageOptions: { parser: angularTemplateParser },
    plugins: { '@angular-eslint/template': angularTemplate },
    rules: {
      ...angularTemplate.configs.recommended.rules,
      ...angularTemplate.configs.accessibility.rules,
      // `x != null` (null or undefined) is meant, as in the console's TypeScript.
      '@angular-eslint/template/eqeqeq': ['error', { allowNullOrUndefined: true }],
    },
  },
  {
    // Jest globals for test files (listed inline: `globals` is not a direct dependency of the repo).
    files: ['**/*.test.ts', 'test/**/*.ts', 'admin-ui/src/**/*.spec.ts'],
    languageOptions: {
      globals: Object.fromEntries(
        ['describe', 'it', 'test', 'expect', 'jest', 'beforeAll', 'beforeEach', 'afterAll', 'afterEach', 'fdescribe', 'fit', 'xdescribe', 'xit', 'xtest'].map((name) => [
          name,
          'readonly',
        ]),
      ),
    },
  },
  {
    // Published coefficients and reference values are copied with all their printed digits, on purpose.
    files: ['plugins/calculation/src/monte-carlo/**/*.ts', 'plugins/calculation/src/finance/conformance.test.ts'],
    rules: { 'no-loss-of-precision': 'off' },
  },
  {
    // Plugins call out only through the kernel's outbound service (coreServices.outbound): it enforces the manifest's
    // allowlist and the address policy (issue #10 finding 4). Tests and test kits may talk to their fakes directly.
    files: ['plugins/*/src/**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**', '**/__fixtures__/**'],
    rules: {
      'no-restricted-globals': ['error', { name: 'fetch', message: 'Use coreServices.outbound.fetch: it enforces the manifest allowlist and the address policy.' }],
      'no-restricted-imports': [
        'error',
        {
          paths: ['http', 'https', 'net', 'tls', 'dgram', 'undici', 'node:http', 'node:https', 'node:net', 'node:tls', 'node:dgram'].map((name) => ({
            name,
            message: 'Plugins call out through coreServices.outbound, not sockets of their own.',
          })),
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
