import { createRequire } from 'node:module';
import path from 'node:path';
import { isVvPlugin, pluginManifestSchema } from '@valueverse/plugin-sdk';
import manifest from '../plugin.json';
import { calculationRef, plugin } from './index';

const sdkRequire = createRequire(path.resolve(__dirname, '../../../plugin-sdk/package.json'));
 
const Ajv = sdkRequire('ajv').default as new (options: object) => {
  addFormat(name: string, format: RegExp): void;
  compile(schema: object): ((value: unknown) => boolean) & { errors?: unknown };
};

describe('calculation plugin', () => {
  it('has a manifest that satisfies the strict manifest schema', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('semver', /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?$/);
    ajv.addFormat('semver-range', /^[\^~]?\d+\.\d+\.\d+$/);
    const validate = ajv.compile(pluginManifestSchema);
    expect(validate(manifest)).toBe(true);
    expect(manifest).toMatchObject({ id: 'calculation', provides: [calculationRef.id], routes: ['/calculate'], main: 'dist/index.js' });
  });

  it('exports a plugin that depends on the HTTP router only', () => {
    expect(isVvPlugin(plugin)).toBe(true);
    expect(Object.keys(plugin.deps)).toEqual(['http']);
    expect(calculationRef.id).toBe('calculation');
  });
});
