import { isOptionalServiceRef, isVvPlugin } from '@valueverse/plugin-sdk';
import { checkManifest } from '@valueverse/plugin-testing';
import manifest from '../plugin.json';
import { plugin } from './index';

describe('value-amplifier plugin', () => {
  it('has a manifest that satisfies the strict manifest schema and declares every provider it reads', () => {
    expect(() => checkManifest(manifest)).not.toThrow();
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
