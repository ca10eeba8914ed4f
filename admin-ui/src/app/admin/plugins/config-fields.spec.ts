import { TestBed } from '@angular/core/testing';
import { FormGroup } from '@angular/forms';
import { FormlyFormBuilder, provideFormlyCore } from '@ngx-formly/core';
import { FormlyJsonschema } from '@ngx-formly/core/json-schema';
import type { ConfigSchema } from '../../api/admin-api';
import { withFormlyMaterial } from '@ngx-formly/material';
import { formlyConfig } from './formly-config';
import { configFields, configModel, configPayload, humanize, secretKeys } from './config-fields';

const schema: ConfigSchema = {
  type: 'object',
  required: ['token', 'endpoint'],
  properties: { endpoint: { type: 'string', format: 'uri' }, token: { type: 'string', 'x-secret': true }, retries: { type: 'integer', maximum: 5 } },
};

describe('config fields', () => {
  it('finds secrets and keeps them out of the model, remembering which are stored', () => {
    expect(secretKeys(schema)).toEqual(['token']);
    const { model, stored } = configModel({ endpoint: 'https://x.io', token: '••••' }, schema);
    expect(model).toEqual({ endpoint: 'https://x.io' });
    expect([...stored]).toEqual(['token']);
  });

  it('leaves blank secrets out of the payload so the kernel keeps the stored value', () => {
    expect(configPayload({ endpoint: 'https://x.io', token: '' }, schema)).toEqual({ endpoint: 'https://x.io' });
    expect(configPayload({ token: 'new-secret' }, schema)).toEqual({ token: 'new-secret' });
  });

  it('labels fields, types inputs, and makes a stored required secret optional', () => {
    const [root] = configFields(new FormlyJsonschema(), schema, new Set(['token']));
    const byKey = Object.fromEntries(root!.fieldGroup!.map((f) => [f.key as string, f]));
    expect(byKey['endpoint']!.props).toMatchObject({ label: 'Endpoint', type: 'url' });
    expect(byKey['retries']!.props).toMatchObject({ label: 'Retries', type: 'number', max: 5 });
    expect(byKey['token']!.props).toMatchObject({ type: 'password', placeholder: expect.stringContaining('leave blank') });
    const required = byKey['token']!.expressions!['props.required'] as () => boolean;
    expect(required()).toBe(false);
  });

  it('humanizes keys', () => {
    expect(humanize('apiKey')).toBe('Api key');
    expect(humanize('webhook_url')).toBe('Webhook url');
  });
});

// The kernel's own ajv (v8; the root node_modules holds eslint's v6, which compiles patterns without the `u` flag).
const KernelAjv = // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(require.resolve('ajv', { paths: [`${__dirname}/../../../../../kernel`] })) as { default: new (o: object) => { validate(s: object, v: unknown): boolean } }).default;

describe('config fields: schema `pattern` (issue 19, bug 1)', () => {
  // The kernel validates plugin config with ajv, which tests a pattern as an unanchored `new RegExp(p, 'u')`;
  // Angular's Validators.pattern anchors a string as ^…$, so `^https?://` refused every real URL.
  const cases: [pattern: string, value: string][] = [
    ['^https?://', 'https://api.openai.com/v1'],
    ['^https?://', 'ftp://example.com'],
    ['[0-9]', 'abc1def'],
    ['^[a-z]+$', 'abc'],
    ['^[a-z]+$', 'abc1'],
    ['\\p{L}', 'é'],
  ];

  function consoleAccepts(pattern: string, value: string): boolean {
    TestBed.configureTestingModule({ providers: [provideFormlyCore([...withFormlyMaterial(), formlyConfig])] });
    const schema: ConfigSchema = { type: 'object', properties: { url: { type: 'string', pattern } } };
    const form = new FormGroup({});
    const model = { url: value };
    const fields = configFields(new FormlyJsonschema(), schema, new Set());
    TestBed.inject(FormlyFormBuilder).build({ form, model, fieldGroup: fields, options: {} });
    const control = form.get('url');
    if (!control) throw new Error('no control for url');
    control.updateValueAndValidity();
    return control.valid;
  }

  it.each(cases)('%s against %s matches ajv', (pattern, value) => {
    const ajv = new KernelAjv({ strict: false });
    const serverAccepts = ajv.validate({ type: 'string', pattern }, value);
    expect(consoleAccepts(pattern, value)).toBe(serverAccepts);
    TestBed.resetTestingModule();
  });

  it('says which pattern failed in the schema’s own words', () => {
    const [root] = configFields(new FormlyJsonschema(), { type: 'object', properties: { url: { type: 'string', pattern: '^https?://' } } }, new Set());
    const field = root!.fieldGroup![0]!;
    const message = formlyConfig.validationMessages!.find((m) => m.name === 'pattern')!.message as (e: unknown, f: typeof field) => string;
    expect(message(null, field)).toBe('Must match the pattern ^https?://.');
  });
});
