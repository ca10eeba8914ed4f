import { createRequire } from 'node:module';
import path from 'node:path';
import { isVvPlugin, pluginManifestSchema } from '@valueverse/plugin-sdk';
import manifest from '../plugin.json';
import { plugin, valueModelsRef } from './index';

const sdkRequire = createRequire(path.resolve(__dirname, '../../../plugin-sdk/package.json'));
const Ajv = sdkRequire('ajv').default as new (options: object) => {
  addFormat(name: string, format: RegExp): void;
  compile(schema: object): ((value: unknown) => boolean) & { errors?: unknown };
};

describe('value-architect plugin', () => {
  it('has a manifest that satisfies the strict manifest schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('semver', /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
    ajv.addFormat('semver-range', /^[\^~]?\d+\.\d+\.\d+$/);
    const validate = ajv.compile(pluginManifestSchema);
    expect(validate(manifest)).toBe(true);
    expect(manifest).toMatchObject({
      id: 'value-architect',
      requires: { calculation: '^1.0.0' },
      uses: ['ai.chat'],
      provides: [valueModelsRef.id],
      routes: ['/value-models'],
      ui: { nav: [{ label: 'Value models', path: 'value-models' }] },
    });
  });

  it('exports a plugin with a database and the value-models ref', () => {
    expect(isVvPlugin(plugin)).toBe(true);
    expect(Object.keys(plugin.deps).sort()).toEqual(['ai', 'audit', 'calc', 'db', 'events', 'http', 'logger']);
    expect(plugin.database?.migrations.map((m) => m.name)).toEqual(['0001-value-models']);
    expect(valueModelsRef.id).toBe('value-models');
  });
});
