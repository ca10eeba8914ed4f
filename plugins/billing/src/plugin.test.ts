import { isVvPlugin } from '@valueverse/plugin-sdk';
import { checkManifest } from '@valueverse/plugin-testing';
import manifest from '../plugin.json';
import { plugin } from './index';

describe('billing plugin', () => {
  it('has a manifest that satisfies the strict manifest schema and owns /billing', () => {
    expect(() => checkManifest(manifest)).not.toThrow();
    expect(manifest).toMatchObject({ id: 'billing', routes: ['/billing'] });
  });

  it('exports a plugin', () => {
    expect(isVvPlugin(plugin)).toBe(true);
  });
});
