import { quoteLiteral, tenantBindingSql } from './tenant-binding';

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
