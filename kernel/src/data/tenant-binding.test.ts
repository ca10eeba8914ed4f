import { inlineParameters, quoteLiteral, tenantBindingSql } from './tenant-binding';

describe('tenantBindingSql', () => {
  it('sets role, tenant and search path in one statement, each for the transaction only', () => {
    expect(tenantBindingSql({ tenantId: 'acme', role: 'vv_plugin_notes', searchPath: 'notes' })).toBe(
      `select set_config('role', 'vv_plugin_notes', true), set_config('app.tenant_id', 'acme', true), set_config('search_path', '"notes", public', true)`,
    );
  });

  it('leaves out the role and search path when not asked for', () => {
    expect(tenantBindingSql({ tenantId: 'acme' })).toBe(`select set_config('app.tenant_id', 'acme', true)`);
  });
});

describe('quoteLiteral', () => {
  it('doubles quotes, and uses E-strings with doubled backslashes when there is a backslash', () => {
    expect(quoteLiteral("o'brien")).toBe("'o''brien'");
    expect(quoteLiteral("a\\'; drop table x; --")).toBe(" E'a\\\\''; drop table x; --'");
  });

  it('refuses a NUL', () => {
    expect(() => quoteLiteral('a\0b')).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
  });
});

describe('inlineParameters', () => {
  it('replaces each placeholder by the quoted text a bound parameter would carry', () => {
    expect(inlineParameters('select $1::uuid, $2, $3, $4, $5, $6, $10', [null, "o'brien", -2, false, new Date('2026-01-02T03:04:05Z'), { a: 'x' }, 'b', 'c', 'd', 'j'])).toBe(
      `select null::uuid, 'o''brien', '-2', 'false', '2026-01-02T03:04:05.000Z', '{"a":"x"}', 'j'`,
    );
  });

  it('writes arrays in PostgreSQL array text, elements quoted, nulls bare (escaping is checked against the database in tenant-read.test.ts)', () => {
    expect(inlineParameters('select $1::text[], $2::numeric[]', [['a', null], [1.5]])).toBe(`select '{"a",NULL}'::text[], '{"1.5"}'::numeric[]`);
  });

  it('refuses quotes, comments, dollar quoting, backslashes and a second statement in the statement', () => {
    for (const sql of [
      "select 'a'",
      'select "a"',
      'select 1 -- $1',
      'select /* $1 */ 1',
      'select $$a$$',
      'select $t$a$t$',
      'select 1; select $1',
      'select \\x',
      'select a$1 from t',
      'select int$1',
    ]) {
      expect(() => inlineParameters(sql, [1])).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
    }
  });

  it('refuses a placeholder without a value and values it cannot write as literals', () => {
    expect(() => inlineParameters('select $2', [1])).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
    expect(() => inlineParameters('select $0', [1])).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
    for (const value of [[[1]], Number.POSITIVE_INFINITY, new Date(Number.NaN), 1n, Buffer.from('x')]) {
      expect(() => inlineParameters('select $1', [value])).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
    }
  });
});
