import { isVvPlugin } from '@valueverse/plugin-sdk';
import { checkManifest } from '@valueverse/plugin-testing';
import manifest from '../plugin.json';
import { plugin, valueModelsRef } from './index';

describe('value-architect plugin', () => {
  it('has a manifest that satisfies the strict manifest schema', () => {
    expect(() => checkManifest(manifest)).not.toThrow();
    expect(manifest).toMatchObject({
      id: 'value-architect',
      requires: { calculation: '^1.0.0' },
      uses: ['ai.chat'],
      provides: [valueModelsRef.id],
      routes: ['/value-models', '/business-cases'],
      ui: { nav: [{ label: 'Value models', path: 'value-models' }] },
    });
  });

  it('exports a plugin with a database and the value-models ref', () => {
    expect(isVvPlugin(plugin)).toBe(true);
    expect(Object.keys(plugin.deps).sort()).toEqual(['ai', 'audit', 'branding', 'calc', 'db', 'events', 'http', 'logger', 'metrics', 'secrets']);
    expect(plugin.database?.migrations.map((m) => m.name)).toEqual(['0001-value-models', '0002-share-links']);
    expect(valueModelsRef.id).toBe('value-models');
  });
});
