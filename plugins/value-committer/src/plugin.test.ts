import { isVvPlugin } from '@valueverse/plugin-sdk';
import { checkManifest } from '@valueverse/plugin-testing';
import manifest from '../plugin.json';
import { commitmentEvents, commitmentsRef, plugin } from './index';

describe('value-committer plugin', () => {
  it('has a manifest that satisfies the strict manifest schema and declares the real graph', () => {
    expect(() => checkManifest(manifest)).not.toThrow();
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
    expect(Object.keys(plugin.deps).sort()).toEqual(['audit', 'calc', 'db', 'events', 'http', 'metrics', 'models']);
    expect(plugin.database?.migrations.map((m) => m.name)).toEqual(['0001-commitments', '0002-commitment-metrics']);
    expect(commitmentsRef.id).toBe('value-commitments');
  });
});
