import { FormControl, FormGroup } from '@angular/forms';
import { applyServerErrors, controlAt } from './server-errors';

describe('applyServerErrors', () => {
  const form = () => new FormGroup({ name: new FormControl('x'), nested: new FormGroup({ 'a/b': new FormControl(1) }) });

  it('finds controls by JSON pointer, escapes included', () => {
    const f = form();
    expect(controlAt(f, '/name')).toBe(f.get('name'));
    expect(controlAt(f, '/nested/a~1b')).toBe(f.get(['nested', 'a/b']));
    expect(controlAt(f, '')).toBeUndefined();
    expect(controlAt(f, '/missing')).toBeUndefined();
  });

  it('sets a touched `server` error on each named control and returns the rest', () => {
    const f = form();
    const unmatched = applyServerErrors(f, [
      { pointer: '/name', message: 'is taken' },
      { pointer: '/other', message: 'unknown key' },
      { pointer: '', message: 'must have required property' },
    ]);
    expect(f.get('name')!.errors).toEqual({ server: 'is taken' });
    expect(f.get('name')!.touched).toBe(true);
    expect(unmatched).toEqual(['/other: unknown key', 'must have required property']);
  });
});
