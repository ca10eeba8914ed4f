import { resolve } from 'node:path';
import { loadRegistryEnvConfig } from './registry-env-config';

describe('loadRegistryEnvConfig', () => {
  it('applies defaults', () => {
    expect(loadRegistryEnvConfig({})).toEqual({
      port: 3100,
      host: '127.0.0.1',
      databaseUrl: undefined,
      dataDir: resolve('./marketplace-data'),
      adminToken: undefined,
      publicUrl: undefined,
      logLevel: 'info',
    });
  });

  it('reports every bad variable at once without echoing secrets', () => {
    let caught: { code?: string; message?: string; errors?: { pointer: string }[] } = {};
    try {
      loadRegistryEnvConfig({ PORT: '0', DATABASE_URL: 'mysql://x', VV_MARKETPLACE_ADMIN_TOKEN: 'short-secret', VV_MARKETPLACE_PUBLIC_URL: 'registry', LOG_LEVEL: 'loud' });
    } catch (error) {
      caught = error as typeof caught;
    }
    expect(caught.code).toBe('VV_CONFIG_INVALID');
    expect(caught.errors!.map((e) => e.pointer)).toEqual(['/PORT', '/DATABASE_URL', '/VV_MARKETPLACE_ADMIN_TOKEN', '/VV_MARKETPLACE_PUBLIC_URL', '/LOG_LEVEL']);
    expect(caught.message).not.toContain('short-secret');
  });

  it('reads a public URL without its trailing slash', () => {
    expect(loadRegistryEnvConfig({ VV_MARKETPLACE_PUBLIC_URL: 'https://plugins.example.com/api/v1/marketplace/' }).publicUrl).toBe(
      'https://plugins.example.com/api/v1/marketplace',
    );
  });
});
