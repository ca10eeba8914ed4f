import { isVvPlugin } from '@valueverse/plugin-sdk';
import { checkManifest } from '@valueverse/plugin-sdk/testing';
import manifest from '../plugin.json';
import { calculationRef, plugin } from './index';

describe('calculation plugin', () => {
  it('has a manifest that satisfies the strict manifest schema', () => {
    expect(() => checkManifest(manifest)).not.toThrow();
    expect(manifest).toMatchObject({ id: 'calculation', provides: [calculationRef.id], routes: ['/calculate'], main: 'dist/index.js' });
  });

  it('exports a plugin that depends on the HTTP router, its config (compute budget) and the request context only', () => {
    expect(isVvPlugin(plugin)).toBe(true);
    expect(Object.keys(plugin.deps)).toEqual(['http', 'config', 'context']);
    expect(calculationRef.id).toBe('calculation');
  });
});
