import { createRequire } from 'node:module';
import path from 'node:path';
import { isVvPlugin, pluginManifestSchema } from '@valueverse/plugin-sdk';
import manifest from '../plugin.json';
import { commitmentEvents, commitmentsRef, plugin } from './index';

const sdkRequire = createRequire(path.resolve(__dirname, '../../../plugin-sdk/package.json'));
const Ajv = sdkRequire('ajv').default as new (options: object) => {
  addFormat(name: string, format: RegExp): void;
  compile(schema: object): ((value: unknown) => boolean) & { errors?: unknown };
};

describe('value-committer plugin', () => {
  it('has a manifest that satisfies the strict manifest schema and declares the real graph', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('semver', /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
    ajv.addFormat('semver-range', /^[\^~]?\d+\.\d+\.\d+$/);
    const validate = ajv.compile(pluginManifestSchema);
    expect(validate(manifest)).toBe(true);
    expect(manifest).toMatchObject({
      id: 'value-committer',
      requires: { 'value-architect': '^1.0.0', calculation: '^1.0.0' },
      provides: [commitmentsRef.id],
      routes: ['/commitments'],
      ui: { nav: [{ label: 'Commitments', path: 'commitments' }] },
    });
    // Every event it publishes is covered by its permissions.
    expect(commitmentEvents.every((e) => e.startsWith('commitment.'))).toBe(true);
    expect(manifest.permissions).toContain('events.publish:commitment.*');
  });

  it('exports a plugin with a database and the value-commitments ref', () => {
    expect(isVvPlugin(plugin)).toBe(true);
    expect(Object.keys(plugin.deps).sort()).toEqual(['audit', 'calc', 'db', 'events', 'http', 'models']);
    expect(plugin.database?.migrations.map((m) => m.name)).toEqual(['0001-commitments']);
    expect(commitmentsRef.id).toBe('value-commitments');
  });
});
