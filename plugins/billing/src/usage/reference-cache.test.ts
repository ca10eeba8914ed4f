import { ReferenceCache } from './reference-cache';

describe('ReferenceCache', () => {
  it('keeps names per tenant, forgets a tenant, and starts over past its bounds', () => {
    const cache = new ReferenceCache<string>(2, 2);
    cache.set('acme', 'cust-1', 'a1');
    cache.set('globex', 'cust-1', 'g1');
    expect(cache.get('acme', 'cust-1')).toBe('a1');
    expect(cache.get('globex', 'cust-1')).toBe('g1');
    expect(cache.get('acme', 'cust-2')).toBeUndefined();
    cache.forgetTenant('acme');
    expect(cache.get('acme', 'cust-1')).toBeUndefined();
    expect(cache.get('globex', 'cust-1')).toBe('g1');
    cache.set('globex', 'cust-2', 'g2');
    cache.set('globex', 'cust-3', 'g3'); // a third name: the tenant's names start over
    expect(cache.get('globex', 'cust-1')).toBeUndefined();
    expect(cache.get('globex', 'cust-3')).toBe('g3');
    cache.set('acme', 'x', '1');
    cache.set('initech', 'y', '2'); // a third tenant: the cache starts over
    expect(cache.get('globex', 'cust-3')).toBeUndefined();
    expect(cache.get('initech', 'y')).toBe('2');
  });
});
