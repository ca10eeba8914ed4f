import { isVvPlugin } from '@valueverse/plugin-sdk';
import { checkManifest } from '@valueverse/plugin-testing';
import manifest from '../plugin.json';
import { plugin } from './index';

describe('notifications plugin', () => {
  it('has a manifest that satisfies the strict manifest schema and owns /notifications', () => {
    expect(() => checkManifest(manifest)).not.toThrow();
    expect(manifest).toMatchObject({ id: 'notifications', routes: ['/notifications'] });
  });

  it('exports a plugin', () => {
    expect(isVvPlugin(plugin)).toBe(true);
  });
});
