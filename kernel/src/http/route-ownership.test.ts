import { RouteOwnership } from './route-ownership';

describe('route ownership', () => {
  const ownership = new RouteOwnership();
  ownership.claim('value-architect', ['/value-models']);
  // A plugin may nest its own prefixes (nesting across plugins is a conflict).
  ownership.claim('catalog', ['/catalog', '/catalog/library']);

  it('finds the owner of a prefix and of the paths below it, and the kernel of its own prefixes', () => {
    expect(ownership.ownerOf('/value-models')).toEqual({ pluginId: 'value-architect', prefix: '/value-models' });
    expect(ownership.ownerOf('/value-models/m1/versions')).toEqual({ pluginId: 'value-architect', prefix: '/value-models' });
    expect(ownership.ownerOf('/auth/login')).toEqual({ pluginId: 'kernel', prefix: '/auth' });
  });

  it('picks the most specific of nested prefixes', () => {
    expect(ownership.ownerOf('/catalog/library/x')).toEqual({ pluginId: 'catalog', prefix: '/catalog/library' });
    expect(ownership.ownerOf('/catalog/libraryx')).toEqual({ pluginId: 'catalog', prefix: '/catalog' });
    expect(ownership.ownerOf('/catalog')).toEqual({ pluginId: 'catalog', prefix: '/catalog' });
  });

  it("refuses a claim on the kernel's prefixes, the registry's /marketplace included, and on the prefixes of apps mounted in the kernel", () => {
    const withMount = new RouteOwnership([{ prefix: '/api/v1/billing-portal' }, { prefix: '/outside' }]);
    for (const prefix of ['/admin', '/marketplace', '/marketplace/extra', '/billing-portal', '/billing-portal/x']) {
      expect(() => withMount.check('thief', [prefix])).toThrow(expect.objectContaining({ code: 'VV_ROUTE_CONFLICT' }));
    }
    expect(withMount.ownerOf('/billing-portal/x')).toEqual({ pluginId: 'kernel', prefix: '/billing-portal' });
    expect(() => withMount.check('fine', ['/marketplaces', '/outside'])).not.toThrow();
  });

  it('owns whole segments only, and forgets a released plugin', () => {
    expect(ownership.ownerOf('/value-modelsx')).toBeUndefined();
    expect(ownership.ownerOf('/')).toBeUndefined();
    expect(ownership.ownerOf('')).toBeUndefined();
    const other = new RouteOwnership();
    other.claim('p', ['/p']);
    other.release('p');
    expect(other.ownerOf('/p/x')).toBeUndefined();
  });
});
