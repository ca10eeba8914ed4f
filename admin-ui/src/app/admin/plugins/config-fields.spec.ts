import { FormlyJsonschema } from '@ngx-formly/core/json-schema';
import type { ConfigSchema } from '../../api/admin-api';
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
