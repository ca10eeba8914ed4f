import { isVvPlugin } from '@valueverse/plugin-sdk';
import { checkManifest } from '@valueverse/plugin-testing';
import manifest from '../plugin.json';
import { plugin, realizationRef } from './index';

describe('value-executor plugin', () => {
  it('has a manifest that satisfies the strict manifest schema and declares the real graph', () => {
    expect(() => checkManifest(manifest)).not.toThrow();
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
    expect(Object.keys(plugin.deps).sort()).toEqual(['audit', 'commitments', 'db', 'events', 'http', 'jobs', 'logger']);
    expect(plugin.database?.entities?.every((e) => e.meta.schema === 'value_executor')).toBe(true);
    expect(plugin.database?.migrations.map((m) => m.name)).toEqual(['0001-measurements', '0002-milestone-states', '0003-measurement-notes', '0004-measurement-corrections']);
  });
});
