import { Migration } from '@mikro-orm/migrations';

const RLS_POLICY = `create policy tenant_isolation on kernel.tenant_logos
  using (tenant_id::text = current_setting('app.tenant_id', true))
  with check (tenant_id::text = current_setting('app.tenant_id', true))`;

/**
 * `kernel.tenant_logos`: a tenant's logo in a row of its own. It used to be base64 inside `kernel.tenants.settings`,
 * so every tenant read carried it: the paged tenant list (up to 200 a page), each instance's cached tenant view and
 * every request's tenant context. Now only the branding route and the documents that show it (report, PDF, share
 * view) read it. Row-level security keeps a statement to the tenant of its transaction (`app.tenant_id`), as on
 * plugin tables; it binds the owner too (`force`), except a superuser.
 *
 * The logos already in settings move here and leave the settings. One that is not a real PNG or JPEG of at most
 * 64 kB (a platform admin could write any logo through the settings before they were checked) is dropped with a
 * notice rather than failing the migration: the branding route would refuse it today.
 */
export class KernelTenantLogosMigration extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create table if not exists kernel.tenant_logos (
      tenant_id text collate "C" constraint tenant_logos_pkey primary key
        constraint tenant_logos_tenant_fkey references kernel.tenants (id) on delete cascade,
      media_type text not null constraint tenant_logos_media_type_check check (media_type in ('image/png', 'image/jpeg')),
      data bytea not null constraint tenant_logos_size_check check (octet_length(data) between 1 and 65536),
      updated_at timestamptz not null default now()
    )`);
    // A re-run after a crash must see every row while it copies: the policy binds the owner only once forced below.
    this.addSql('alter table kernel.tenant_logos no force row level security');
    this.addSql(`do $$
      declare
        t record;
        kind text;
        raw text;
        bytes bytea;
      begin
        for t in select id, settings->'branding'->'logo' as logo from kernel.tenants
                  where jsonb_typeof(settings->'branding'->'logo') = 'object' loop
          begin
            kind := t.logo->>'mediaType';
            -- Node's decoder (the route's) accepts base64 without its padding; PostgreSQL's wants it.
            raw := regexp_replace(coalesce(t.logo->>'data', ''), '=+$', '');
            raw := raw || repeat('=', (4 - length(raw) % 4) % 4);
            bytes := decode(raw, 'base64');
            if (kind = 'image/png' and substring(bytes from 1 for 8) = '\\x89504e470d0a1a0a'::bytea)
               or (kind = 'image/jpeg' and substring(bytes from 1 for 3) = '\\xffd8ff'::bytea) then
              insert into kernel.tenant_logos (tenant_id, media_type, data) values (t.id, kind, bytes)
                on conflict (tenant_id) do nothing;
            else
              raise notice 'tenant %: its logo is not a PNG or JPEG image; dropped', t.id;
            end if;
          exception when others then
            raise notice 'tenant %: its logo could not be moved (%); dropped', t.id, sqlerrm;
          end;
        end loop;
      end $$`);
    this.addSql(`update kernel.tenants
      set settings = case when (settings->'branding') - 'logo' = '{}'::jsonb then settings - 'branding' else settings #- '{branding,logo}' end
      where jsonb_typeof(settings->'branding') = 'object' and (settings->'branding'->'logo') is not null`);
    this.addSql('alter table kernel.tenant_logos enable row level security');
    this.addSql('alter table kernel.tenant_logos force row level security');
    this.addSql('drop policy if exists tenant_isolation on kernel.tenant_logos');
    this.addSql(RLS_POLICY);
  }

  override async down(): Promise<void> {
    // Back into the settings, as the previous version reads them (base64 on one line).
    this.addSql('alter table kernel.tenant_logos no force row level security');
    this.addSql(`update kernel.tenants t
      set settings = jsonb_set(
        case when jsonb_typeof(t.settings->'branding') = 'object' then t.settings else jsonb_set(t.settings, '{branding}', '{}'::jsonb) end,
        '{branding,logo}',
        jsonb_build_object('mediaType', l.media_type, 'data', translate(encode(l.data, 'base64'), E'\\n', '')))
      from kernel.tenant_logos l where l.tenant_id = t.id`);
    this.addSql('drop table if exists kernel.tenant_logos');
  }
}
