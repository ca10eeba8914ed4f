import { SchemaValidator } from './schema-validator';

describe('SchemaValidator', () => {
  const validator = new SchemaValidator();

  it('rejects a schema that breaks the JSON Schema meta-schema when it is registered, not at the first request', () => {
    expect(() => validator.compile({ type: 'object', properties: { name: { type: 'text' } } }, 'body')).toThrow(/schema is invalid/);
    expect(() => validator.compile({ type: 'object', required: 'name' }, 'query')).toThrow(/schema is invalid/);
  });

  it('validates bodies strictly and names the offending field', () => {
    const validate = validator.compile({ type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string', minLength: 1 } } }, 'body');
    expect(validate({ name: 'Acme' })).toEqual([]);
    expect(validate({ name: 7, extra: true })).toEqual(
      expect.arrayContaining([
        { pointer: '/name', message: 'must be string', in: 'body' },
        { pointer: '/extra', message: 'unknown key', in: 'body' },
      ]),
    );
    expect(validate({})).toEqual([{ pointer: '/name', message: 'is required', in: 'body' }]);
  });

  it('coerces query strings and applies defaults', () => {
    const validate = validator.compile({ type: 'object', properties: { limit: { type: 'integer', minimum: 1, default: 20 } } }, 'query');
    const query: Record<string, unknown> = { limit: '5' };
    expect(validate(query)).toEqual([]);
    expect(query.limit).toBe(5);
    const empty: Record<string, unknown> = {};
    expect(validate(empty)).toEqual([]);
    expect(empty.limit).toBe(20);
    expect(validate({ limit: '0' })).toEqual([{ pointer: '/limit', message: 'must be >= 1', in: 'query' }]);
  });
});
