import type { PluginManifest } from '@valueverse/plugin-sdk';
import { allowlistAllows, originMatches, sameOrigin } from './outbound-allowlist';

const url = (text: string) => new URL(text);

describe('originMatches', () => {
  it('matches scheme, host and port (the scheme default when none is written)', () => {
    expect(originMatches('https://api.openai.com', url('https://api.openai.com/v1/chat/completions'))).toBe(true);
    expect(originMatches('https://api.openai.com', url('https://api.openai.com:443/v1'))).toBe(true);
    expect(originMatches('https://api.openai.com', url('http://api.openai.com/v1'))).toBe(false);
    expect(originMatches('https://api.openai.com', url('https://api.openai.com:8443/v1'))).toBe(false);
    expect(originMatches('https://api.openai.com', url('https://api.openai.com.evil.test/v1'))).toBe(false);
    expect(originMatches('http://127.0.0.1:11434', url('http://127.0.0.1:11434/v1'))).toBe(true);
    expect(originMatches('http://127.0.0.1:11434', url('http://127.0.0.1:11435/v1'))).toBe(false);
  });

  it('matches any subdomain with "*.", never the apex or a look-alike', () => {
    expect(originMatches('https://*.openai.azure.com', url('https://acme.openai.azure.com/x'))).toBe(true);
    expect(originMatches('https://*.openai.azure.com', url('https://a.b.openai.azure.com/x'))).toBe(true);
    expect(originMatches('https://*.openai.azure.com', url('https://openai.azure.com/x'))).toBe(false);
    expect(originMatches('https://*.openai.azure.com', url('https://evilopenai.azure.com/x'))).toBe(false);
  });
});

describe('sameOrigin', () => {
  it('compares a configured URL with a call, by origin only', () => {
    expect(sameOrigin('http://127.0.0.1:4010/v1', url('http://127.0.0.1:4010/v1/chat/completions'))).toBe(true);
    expect(sameOrigin('http://127.0.0.1:4010/v1', url('http://127.0.0.1:4011/v1/chat/completions'))).toBe(false);
    expect(sameOrigin('https://LLM.example.com/v1', url('https://llm.example.com:443/other'))).toBe(true);
    expect(sameOrigin('not a url', url('https://llm.example.com'))).toBe(false);
    expect(sameOrigin(undefined, url('https://llm.example.com'))).toBe(false);
  });
});

describe('allowlistAllows', () => {
  const manifest = {
    id: 'ai-x',
    outbound: { origins: ['https://api.x.test'], configFields: ['baseUrl'] },
    config: { type: 'object', properties: { baseUrl: { type: 'string', default: 'https://default.x.test/v1' } } },
  } as unknown as PluginManifest;

  it("allows the fixed origins for any call, and a tenant's configured origin only for calls made for that tenant", () => {
    expect(allowlistAllows(manifest, url('https://api.x.test/v1'), undefined)).toBe(true);
    expect(allowlistAllows(manifest, url('https://tenant.x.test/v1'), undefined)).toBe(false);
    expect(allowlistAllows(manifest, url('https://tenant.x.test/v1'), { baseUrl: 'https://tenant.x.test/v1' })).toBe(true);
    expect(allowlistAllows(manifest, url('https://elsewhere.test/v1'), { baseUrl: 'https://tenant.x.test/v1' })).toBe(false);
  });

  it('reads the schema default for a tenant whose config lacks the field', () => {
    expect(allowlistAllows(manifest, url('https://default.x.test/v1/chat'), {})).toBe(true);
  });

  it('reads a dotted config field through nested objects, with nested defaults', () => {
    const nested = {
      id: 'notifications',
      outbound: { configFields: ['slack.webhookUrl'] },
      config: { type: 'object', properties: { slack: { type: 'object', properties: { webhookUrl: { type: 'string', default: 'https://hooks.default.test/x' } } } } },
    } as unknown as PluginManifest;
    expect(allowlistAllows(nested, url('https://hooks.tenant.test/services/1'), { slack: { webhookUrl: 'https://hooks.tenant.test/services/1' } })).toBe(true);
    expect(allowlistAllows(nested, url('https://hooks.default.test/y'), {})).toBe(true);
    expect(allowlistAllows(nested, url('https://hooks.tenant.test/services/1'), { slack: 'https://hooks.tenant.test' })).toBe(false);
  });

  it('allows nothing to a manifest without an allowlist', () => {
    expect(allowlistAllows({ id: 'p' } as PluginManifest, url('https://api.x.test'), {})).toBe(false);
  });
});
