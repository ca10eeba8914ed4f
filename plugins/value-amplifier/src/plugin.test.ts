import { createRequire } from 'node:module';
import path from 'node:path';
import { isOptionalServiceRef, isVvPlugin, pluginManifestSchema } from '@valueverse/plugin-sdk';
import manifest from '../plugin.json';
import { plugin } from './index';

const sdkRequire = createRequire(path.resolve(__dirname, '../../../plugin-sdk/package.json'));
const Ajv = sdkRequire('ajv').default as new (options: object) => {
  addFormat(name: string, format: RegExp): void;
  compile(schema: object): ((value: unknown) => boolean) & { errors?: unknown };
};

describe('value-amplifier plugin', () => {
  it('has a manifest that satisfies the strict manifest schema and declares every provider it reads', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('semver', /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
    ajv.addFormat('semver-range', /^[\^~]?\d+\.\d+\.\d+$/);
    expect(ajv.compile(pluginManifestSchema)(manifest)).toBe(true);
    // The kernel hands a plugin only refs whose provider its manifest lists: committer's service is read directly.
    expect(manifest).toMatchObject({
      id: 'value-amplifier',
      requires: { 'value-executor': '^1.0.0', 'value-committer': '^1.0.0', calculation: '^1.0.0' },
      optional: { 'value-architect': '^1.0.0' },
      routes: ['/amplify'],
      ui: { nav: [{ label: 'Amplify', path: 'amplify' }] },
    });
  });

  it('exports a plugin that stores nothing and reads the model optionally', () => {
    expect(isVvPlugin(plugin)).toBe(true);
    expect(plugin.database).toBeUndefined();
    expect(Object.keys(plugin.deps).sort()).toEqual(['calc', 'commitments', 'http', 'models', 'realization']);
    expect(isOptionalServiceRef(plugin.deps.models)).toBe(true);
  });
});
