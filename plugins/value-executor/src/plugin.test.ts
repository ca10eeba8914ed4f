import { createRequire } from 'node:module';
import path from 'node:path';
import { isVvPlugin, pluginManifestSchema } from '@valueverse/plugin-sdk';
import manifest from '../plugin.json';
import { plugin, realizationRef } from './index';

const sdkRequire = createRequire(path.resolve(__dirname, '../../../plugin-sdk/package.json'));
const Ajv = sdkRequire('ajv').default as new (options: object) => {
  addFormat(name: string, format: RegExp): void;
  compile(schema: object): ((value: unknown) => boolean) & { errors?: unknown };
};

describe('value-executor plugin', () => {
  it('has a manifest that satisfies the strict manifest schema and declares the real graph', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('semver', /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
    ajv.addFormat('semver-range', /^[\^~]?\d+\.\d+\.\d+$/);
    const validate = ajv.compile(pluginManifestSchema);
    expect(validate(manifest)).toBe(true);
    expect(manifest).toMatchObject({
      id: 'value-executor',
      requires: { 'value-committer': '^1.0.0' },
      provides: [realizationRef.id],
      routes: ['/realization'],
      ui: { nav: [{ label: 'Realization', path: 'realization' }] },
    });
  });

  it('exports a plugin with a database in its own schema and the dependencies its manifest justifies', () => {
    expect(isVvPlugin(plugin)).toBe(true);
    expect(Object.keys(plugin.deps).sort()).toEqual(['commitments', 'db', 'events', 'http', 'jobs', 'logger']);
    expect(plugin.database?.entities?.every((e) => e.meta.schema === 'value_executor')).toBe(true);
    expect(plugin.database?.migrations.map((m) => m.name)).toEqual(['0001-measurements', '0002-milestone-states']);
  });
});
