import { encodeCursor, isVvError } from '@valueverse/plugin-sdk';
import { parseCatalogQuery } from './list-query';

describe('parseCatalogQuery', () => {
  it('applies the default limit and reads q, category and the cursor', () => {
    expect(parseCatalogQuery({})).toEqual({ q: undefined, category: undefined, limit: 50, after: undefined });
    expect(parseCatalogQuery({ q: ' crm ', category: 'Finance', limit: '10', cursor: encodeCursor(['acme-crm']) })).toEqual({
      q: 'crm',
      category: 'finance',
      limit: 10,
      after: 'acme-crm',
    });
  });

  it('reports every bad parameter at once with its pointer', () => {
    let caught: unknown;
    try {
      parseCatalogQuery({ limit: '0', category: 'no spaces', categories: 'x', q: ['a', 'b'] });
    } catch (error) {
      caught = error;
    }
    expect(isVvError(caught) && caught.code).toBe('VV_VALIDATION');
    const pointers = isVvError(caught) ? caught.errors.map((e) => e.pointer).sort() : [];
    expect(pointers).toEqual(['/categories', '/category', '/limit', '/q']);
  });

  it('refuses a cursor this list did not make', () => {
    expect(() => parseCatalogQuery({ cursor: 'not-a-cursor' })).toThrow(expect.objectContaining({ code: 'VV_VALIDATION' }));
    expect(() => parseCatalogQuery({ cursor: encodeCursor([1, 2]) })).toThrow(expect.objectContaining({ code: 'VV_VALIDATION' }));
  });
});
