import { isVvError, type PluginConfigSchema, type VvError } from '@valueverse/plugin-sdk';
import { assertSecretsRebound } from './secret-binding';
import { SECRET_MASK } from '../tenancy/secret-box';

const schema: PluginConfigSchema = {
  type: 'object',
  properties: {
    baseUrl: { type: 'string', default: 'https://api.example.com/v1' },
    model: { type: 'string' },
    apiKey: { type: 'string', 'x-secret': true, 'x-secret-bound-to': ['baseUrl'] },
    note: { type: 'string', 'x-secret': true },
    hook: {
      type: 'object',
      properties: { url: { type: 'string' }, token: { type: 'string', 'x-secret': true, 'x-secret-bound-to': ['url'] } },
    },
  },
};
const stored = { baseUrl: 'https://api.example.com/v1', model: 'm1', apiKey: 'sk-stored', note: 'n', hook: { url: 'https://hooks.example.com/a', token: 'tk' } };

function check(incoming: Record<string, unknown>, next: Record<string, unknown>, current: Record<string, unknown> = stored): VvError | undefined {
  try {
    assertSecretsRebound(schema, current, incoming, next);
    return undefined;
  } catch (error) {
    if (isVvError(error)) return error;
    throw error;
  }
}

describe('assertSecretsRebound', () => {
  it('refuses moving the destination while the secret is sent as the mask, or left out', () => {
    for (const apiKey of [SECRET_MASK, undefined]) {
      const incoming = { ...stored, baseUrl: 'http://listener.test/v1', apiKey };
      const error = check(incoming, { ...stored, baseUrl: 'http://listener.test/v1' });
      expect(error?.code).toBe('VV_SECRET_REQUIRED');
      expect(error?.status).toBe(422);
      expect(error?.message).toBe('Changing "/baseUrl" requires sending "/apiKey" again');
      expect(error?.errors).toEqual([{ pointer: '/apiKey', in: 'config', message: 'is bound to "/baseUrl", which changed: send the secret again, not the mask' }]);
    }
  });

  it('reads a removed destination as its default: leaving baseUrl out moves it when it was elsewhere', () => {
    const current = { ...stored, baseUrl: 'https://proxy.example.com/v1' };
    expect(check({ apiKey: SECRET_MASK }, { apiKey: 'sk-stored', baseUrl: 'https://api.example.com/v1' }, current)?.code).toBe('VV_SECRET_REQUIRED');
    // Stored before the default existed: absent equals the default, so nothing moved.
    const { baseUrl: _dropped, ...withoutBase } = stored;
    expect(check({ apiKey: SECRET_MASK }, { ...withoutBase, baseUrl: 'https://api.example.com/v1' }, withoutBase)).toBeUndefined();
  });

  it('lets a new secret go with a new destination, and other fields change with the mask', () => {
    expect(check({ ...stored, baseUrl: 'http://new.test/v1', apiKey: 'sk-new' }, { ...stored, baseUrl: 'http://new.test/v1', apiKey: 'sk-new' })).toBeUndefined();
    expect(check({ ...stored, model: 'm2', apiKey: SECRET_MASK }, { ...stored, model: 'm2' })).toBeUndefined();
  });

  it('ignores secrets not bound to anything, and configs without a stored secret', () => {
    expect(check({ ...stored, baseUrl: 'http://x.test', apiKey: 'sk-new', note: SECRET_MASK }, { ...stored, baseUrl: 'http://x.test', apiKey: 'sk-new' })).toBeUndefined();
    const { apiKey: _none, ...noKey } = stored;
    expect(check({ ...noKey, baseUrl: 'http://x.test' }, { ...noKey, baseUrl: 'http://x.test' }, noKey)).toBeUndefined();
  });

  it('binds nested secrets to their own siblings', () => {
    const moved = { ...stored, hook: { url: 'https://evil.test/', token: SECRET_MASK } };
    const error = check(moved, { ...stored, hook: { url: 'https://evil.test/', token: 'tk' } });
    expect(error?.errors).toEqual([expect.objectContaining({ pointer: '/hook/token', message: expect.stringContaining('"/hook/url"') })]);
    expect(check({ ...stored, hook: { url: 'https://evil.test/', token: 'tk2' } }, { ...stored, hook: { url: 'https://evil.test/', token: 'tk2' } })).toBeUndefined();
  });
});
