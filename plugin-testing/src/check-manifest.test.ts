import { isVvError } from '@valueverse/plugin-sdk';
import { checkManifest } from './check-manifest';

const valid = { id: 'orders', version: '1.2.0', displayName: 'Orders', kernel: '^1.0.0', main: 'dist/index.js', routes: ['/orders'] };

describe('checkManifest', () => {
  it('returns a valid manifest, typed and frozen', () => {
    const manifest = checkManifest(valid);
    expect(manifest).toMatchObject({ id: 'orders', version: '1.2.0' });
    expect(Object.isFrozen(manifest)).toBe(true);
  });

  it('reports every problem with its JSON pointer, as the kernel does at load', () => {
    let caught: unknown;
    try {
      checkManifest({ ...valid, version: '1.2', kernel: '', colour: 'blue', requires: { orders: '^1.0.0' } }, 'orders/plugin.json');
    } catch (error) {
      caught = error;
    }
    expect(isVvError(caught) && caught.code).toBe('VV_MANIFEST_INVALID');
    const pointers = (caught as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
    expect(pointers).toEqual(['/colour', '/kernel', '/requires/orders', '/version']);
  });
});
