import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { VvError } from '@valueverse/plugin-sdk';
import { loadEnvConfig } from './env-config';

const REPO_ROOT = resolve(__dirname, '../../..');

function configError(env: NodeJS.ProcessEnv): VvError {
  try {
    loadEnvConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(VvError);
    return error as VvError;
  }
  throw new Error('expected loadEnvConfig to throw');
}

describe('loadEnvConfig', () => {
  it('applies the documented defaults to an empty environment', () => {
    expect(loadEnvConfig({})).toEqual({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: undefined,
      redisUrl: undefined,
      redisPrefix: 'vv',
      workers: true,
      pgliteTemplate: true,
      dataDir: resolve('data'),
      encryptionKey: undefined,
      adminEmail: 'admin@example.com',
      adminPassword: undefined,
      pluginsDir: join(REPO_ROOT, 'plugins'),
      logLevel: 'info',
      corsOrigins: [],
      trustedProxies: [],
      outboundAllowPrivate: { all: false, entries: [] },
      cacheSize: 10_000,
      allowUnsignedPlugins: false,
      pluginRetentionDays: 30,
      pluginPurgeIntervalSeconds: 3600,
      marketplaceUrl: undefined,
      metricsTenants: { mode: 'off' },
    });
  });

  it('defaults the plugins dir to the repository plugins folder', () => {
    expect(loadEnvConfig({}).pluginsDir).toBe(join(REPO_ROOT, 'plugins'));
    expect(REPO_ROOT).toBe(resolve(__dirname, '..', '..', '..'));
  });

  it('reads every variable', () => {
    const key = randomBytes(32).toString('base64');
    const config = loadEnvConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgresql://app:secret@db.internal:5432/valueverse',
      REDIS_URL: 'rediss://cache.internal:6380/0',
      VV_REDIS_PREFIX: 'vv-staging',
      VV_WORKERS: 'off',
      VV_PGLITE_TEMPLATE: 'off',
      VV_DATA_DIR: '/var/lib/valueverse',
      VV_ENCRYPTION_KEY: key,
      VV_ADMIN_EMAIL: 'ops@acme.test',
      VV_ADMIN_PASSWORD: 'correct horse battery',
      VV_PLUGINS_DIR: '/opt/valueverse/plugins',
      LOG_LEVEL: 'debug',
      VV_CORS_ORIGINS: 'https://app.acme.test, http://localhost:4200',
      VV_TRUSTED_PROXIES: '10.0.0.0/8, 192.0.2.7,fd00::/8',
      VV_OUTBOUND_ALLOW_PRIVATE: '10.20.0.0/16, ollama.internal:11434',
      VV_CACHE_SIZE: '250000',
      VV_ALLOW_UNSIGNED_PLUGINS: 'true',
      VV_PLUGIN_RETENTION_DAYS: '7',
      VV_PLUGIN_PURGE_INTERVAL_SECONDS: '60',
      VV_SIGNING_KEY_ROTATION_DAYS: '30',
      VV_MARKETPLACE_URL: 'https://plugins.acme.test/api/v1/marketplace',
      VV_METRICS_TENANTS: 'first:50',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      databaseUrl: 'postgresql://app:secret@db.internal:5432/valueverse',
      redisUrl: 'rediss://cache.internal:6380/0',
      redisPrefix: 'vv-staging',
      workers: false,
      pgliteTemplate: false,
      dataDir: '/var/lib/valueverse',
      encryptionKey: key,
      adminEmail: 'ops@acme.test',
      adminPassword: 'correct horse battery',
      pluginsDir: '/opt/valueverse/plugins',
      logLevel: 'debug',
      corsOrigins: ['https://app.acme.test', 'http://localhost:4200'],
      trustedProxies: ['10.0.0.0/8', '192.0.2.7', 'fd00::/8'],
      outboundAllowPrivate: {
        all: false,
        entries: [
          { kind: 'cidr', address: '10.20.0.0', prefix: 16, family: 4 },
          { kind: 'host', host: 'ollama.internal', port: 11434 },
        ],
      },
      cacheSize: 250_000,
      allowUnsignedPlugins: true,
      pluginRetentionDays: 7,
      pluginPurgeIntervalSeconds: 60,
      signingKeyRotationDays: 30,
      marketplaceUrl: 'https://plugins.acme.test/api/v1/marketplace',
      metricsTenants: { mode: 'first', max: 50 },
    });
  });

  it('reads VV_WORKER_METRICS_PORT as a port, unset by default', () => {
    expect(loadEnvConfig({}).workerMetricsPort).toBeUndefined();
    expect(loadEnvConfig({ VV_WORKER_METRICS_PORT: '9464' }).workerMetricsPort).toBe(9464);
    for (const bad of ['0', '70000', 'metrics', '94.6']) expect(() => loadEnvConfig({ VV_WORKER_METRICS_PORT: bad })).toThrow(/VV_WORKER_METRICS_PORT/);
  });

  it('reads VV_METRICS_TENANTS as off, first:<n> or a list of tenant ids, and refuses anything else', () => {
    expect(loadEnvConfig({ VV_METRICS_TENANTS: 'off' }).metricsTenants).toEqual({ mode: 'off' });
    expect(loadEnvConfig({ VV_METRICS_TENANTS: 'acme, globex' }).metricsTenants).toEqual({ mode: 'list', tenants: ['acme', 'globex'] });
    for (const bad of ['first:0', 'first:5000', 'first:x', 'Acme Corp']) {
      expect(() => loadEnvConfig({ VV_METRICS_TENANTS: bad })).toThrow(/VV_METRICS_TENANTS/);
    }
  });

  it('returns a frozen object', () => {
    const config = loadEnvConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('resolves relative directories against the working directory', () => {
    const config = loadEnvConfig({ VV_DATA_DIR: 'var/data', VV_PLUGINS_DIR: './more-plugins' });
    expect(config.dataDir).toBe(join(process.cwd(), 'var/data'));
    expect(config.pluginsDir).toBe(join(process.cwd(), 'more-plugins'));
  });

  it('treats empty variables as unset', () => {
    const config = loadEnvConfig({ PORT: '', DATABASE_URL: '', REDIS_URL: ' ', VV_ADMIN_PASSWORD: '', LOG_LEVEL: '' });
    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.adminPassword).toBeUndefined();
    expect(config.logLevel).toBe('info');
  });

  it.each([['postgres://localhost/test'], ['postgresql://postgres@127.0.0.1:5432/test']])('accepts DATABASE_URL %s', (url) => {
    expect(loadEnvConfig({ DATABASE_URL: url }).databaseUrl).toBe(url);
  });

  it.each([['redis://127.0.0.1:6379'], ['rediss://user:pw@cache:6380/2']])('accepts REDIS_URL %s', (url) => {
    expect(loadEnvConfig({ REDIS_URL: url }).redisUrl).toBe(url);
  });

  it.each([['1'], ['65535'], [' 3001 ']])('accepts PORT "%s"', (port) => {
    expect(loadEnvConfig({ PORT: port }).port).toBe(Number(port.trim()));
  });

  it.each([['localhost'], ['::'], ['::1'], ['api.example.com']])('accepts HOST %s', (host) => {
    expect(loadEnvConfig({ HOST: host }).host).toBe(host);
  });

  it('reads VV_OUTBOUND_ALLOW_PRIVATE: true allows every loopback and private destination, a bad entry stops the boot', () => {
    expect(loadEnvConfig({ VV_OUTBOUND_ALLOW_PRIVATE: 'true' }).outboundAllowPrivate).toEqual({ all: true, entries: [] });
    expect(loadEnvConfig({ VV_OUTBOUND_ALLOW_PRIVATE: 'false' }).outboundAllowPrivate).toEqual({ all: false, entries: [] });
    expect(() => loadEnvConfig({ VV_OUTBOUND_ALLOW_PRIVATE: 'yes please, 10.0.0.0/40' })).toThrow(
      expect.objectContaining({
        code: 'VV_CONFIG_INVALID',
        errors: [
          { pointer: '/VV_OUTBOUND_ALLOW_PRIVATE', in: 'env', message: 'VV_OUTBOUND_ALLOW_PRIVATE "yes please" is not an address, a host name, host:port or a CIDR range' },
          { pointer: '/VV_OUTBOUND_ALLOW_PRIVATE', in: 'env', message: 'VV_OUTBOUND_ALLOW_PRIVATE "10.0.0.0/40": the prefix is longer than the address' },
        ],
      }),
    );
  });

  it('accepts log levels case-insensitively and normalises them', () => {
    expect(loadEnvConfig({ LOG_LEVEL: 'WARN' }).logLevel).toBe('warn');
    expect(loadEnvConfig({ LOG_LEVEL: 'silent' }).logLevel).toBe('silent');
  });

  it('reads VV_PGLITE_TEMPLATE: on (the default) unpacks new embedded databases from the template, off runs initdb', () => {
    expect(loadEnvConfig({}).pgliteTemplate).toBe(true);
    expect(loadEnvConfig({ VV_PGLITE_TEMPLATE: ' OFF ' }).pgliteTemplate).toBe(false);
  });

  it('reads VV_WORKERS case-insensitively: on runs job workers in the web host, off leaves them to `host worker`', () => {
    expect(loadEnvConfig({ VV_WORKERS: 'ON' }).workers).toBe(true);
    expect(loadEnvConfig({ VV_WORKERS: ' off ' }).workers).toBe(false);
  });

  it('reads VV_CORS_ORIGINS as a comma list (blanks and repeats dropped), or "*"', () => {
    expect(loadEnvConfig({ VV_CORS_ORIGINS: ' https://a.test ,, https://b.test:8443,https://a.test ' }).corsOrigins).toEqual(['https://a.test', 'https://b.test:8443']);
    expect(loadEnvConfig({ VV_CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(loadEnvConfig({ VV_CORS_ORIGINS: ' ' }).corsOrigins).toEqual([]);
  });

  it('accepts an admin email on a local domain', () => {
    expect(loadEnvConfig({ VV_ADMIN_EMAIL: 'admin@localhost' }).adminEmail).toBe('admin@localhost');
  });

  const bad: [string, NodeJS.ProcessEnv, RegExp][] = [
    ['PORT', { PORT: '0' }, /PORT must be an integer from 1 to 65535 \(got "0"\)/],
    [
      'VV_PLUGIN_PURGE_INTERVAL_SECONDS',
      { VV_PLUGIN_PURGE_INTERVAL_SECONDS: '0' },
      /VV_PLUGIN_PURGE_INTERVAL_SECONDS must be an integer number of seconds from 1 to 86400 \(got "0"\)/,
    ],
    ['VV_PLUGIN_PURGE_INTERVAL_SECONDS', { VV_PLUGIN_PURGE_INTERVAL_SECONDS: '1.5' }, /VV_PLUGIN_PURGE_INTERVAL_SECONDS must be an integer/],
    ['VV_SIGNING_KEY_ROTATION_DAYS', { VV_SIGNING_KEY_ROTATION_DAYS: '0' }, /VV_SIGNING_KEY_ROTATION_DAYS must be a number of days from 1 to 3650 \(got "0"\)/],
    ['VV_SIGNING_KEY_ROTATION_DAYS', { VV_SIGNING_KEY_ROTATION_DAYS: 'monthly' }, /VV_SIGNING_KEY_ROTATION_DAYS must be a number of days/],
    ['VV_CACHE_SIZE', { VV_CACHE_SIZE: '99' }, /VV_CACHE_SIZE must be an integer from 100 to 10000000 \(got "99"\)/],
    ['VV_CACHE_SIZE', { VV_CACHE_SIZE: 'lots' }, /VV_CACHE_SIZE must be an integer/],
    ['PORT', { PORT: '65536' }, /PORT must be an integer/],
    ['PORT', { PORT: 'http' }, /PORT must be an integer/],
    ['PORT', { PORT: '80.5' }, /PORT must be an integer/],
    ['PORT', { PORT: '-1' }, /PORT must be an integer/],
    ['HOST', { HOST: 'my host' }, /HOST must be an IP address or a host name/],
    ['DATABASE_URL', { DATABASE_URL: 'mysql://db/app' }, /DATABASE_URL must be a postgres:\/\/ or postgresql:\/\/ URL/],
    ['DATABASE_URL', { DATABASE_URL: 'localhost:5432' }, /DATABASE_URL must be/],
    ['REDIS_URL', { REDIS_URL: 'http://cache:6379' }, /REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/],
    ['REDIS_URL', { REDIS_URL: 'not a url' }, /REDIS_URL must be/],
    ['VV_ENCRYPTION_KEY', { VV_ENCRYPTION_KEY: randomBytes(16).toString('base64') }, /exactly 32 bytes \(it decodes to 16\)/],
    ['VV_ENCRYPTION_KEY', { VV_ENCRYPTION_KEY: randomBytes(33).toString('base64') }, /it decodes to 33/],
    ['VV_ENCRYPTION_KEY', { VV_ENCRYPTION_KEY: 'not*base64!' }, /it is not base64/],
    ['VV_ENCRYPTION_KEY', { VV_ENCRYPTION_KEY: randomBytes(32).toString('hex') }, /it decodes to 48/],
    ['VV_ENCRYPTION_KEY', { VV_ENCRYPTION_KEY: `${randomBytes(32).toString('base64')},${randomBytes(16).toString('base64')}` }, /\(key 2\) \(it decodes to 16\)/],
    ['VV_ADMIN_EMAIL', { VV_ADMIN_EMAIL: 'admin' }, /VV_ADMIN_EMAIL must be an email address \(got "admin"\)/],
    ['VV_ADMIN_EMAIL', { VV_ADMIN_EMAIL: 'admin@exa mple.com' }, /VV_ADMIN_EMAIL must be an email/],
    ['VV_ADMIN_PASSWORD', { VV_ADMIN_PASSWORD: 'short-pass1' }, /VV_ADMIN_PASSWORD must be at least 12 characters \(it has 11\)/],
    ['VV_REDIS_PREFIX', { VV_REDIS_PREFIX: 'vv:prod' }, /VV_REDIS_PREFIX must be 1-64 letters, digits/],
    ['VV_REDIS_PREFIX', { VV_REDIS_PREFIX: 'vv*' }, /VV_REDIS_PREFIX must be/],
    ['VV_WORKERS', { VV_WORKERS: 'yes' }, /VV_WORKERS must be "on" or "off" \(got "yes"\)/],
    ['VV_PGLITE_TEMPLATE', { VV_PGLITE_TEMPLATE: 'never' }, /VV_PGLITE_TEMPLATE must be "on" or "off" \(got "never"\)/],
    [
      'VV_CORS_ORIGINS',
      { VV_CORS_ORIGINS: 'https://app.acme.test/' },
      /VV_CORS_ORIGINS entries must be origins .*got "https:\/\/app.acme.test\/"; did you mean "https:\/\/app.acme.test"/,
    ],
    ['VV_CORS_ORIGINS', { VV_CORS_ORIGINS: 'app.acme.test' }, /VV_CORS_ORIGINS entries must be origins/],
    ['VV_CORS_ORIGINS', { VV_CORS_ORIGINS: 'ftp://files.acme.test' }, /VV_CORS_ORIGINS entries must be origins/],
    ['VV_CORS_ORIGINS', { VV_CORS_ORIGINS: 'https://app.acme.test/path' }, /VV_CORS_ORIGINS entries must be origins/],
    ['VV_CORS_ORIGINS', { VV_CORS_ORIGINS: '*, https://app.acme.test' }, /VV_CORS_ORIGINS is "\*" \(any origin, without credentials\) or a list of origins, not both/],
    ['VV_TRUSTED_PROXIES', { VV_TRUSTED_PROXIES: 'lb.internal' }, /VV_TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR blocks \("lb.internal" is not/],
    ['VV_TRUSTED_PROXIES', { VV_TRUSTED_PROXIES: '10.0.0.1, 10.0.0.0/33' }, /VV_TRUSTED_PROXIES must be .*"10.0.0.0\/33" has a prefix length outside 0-32/],
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }, /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent \(got "verbose"\)/],
  ];

  it.each(bad)('rejects a bad %s (%j)', (name, env, message) => {
    const error = configError(env);
    expect(error.code).toBe('VV_CONFIG_INVALID');
    expect(error.status).toBe(422);
    expect(error.params.subject).toBe('environment');
    expect(error.errors).toEqual([{ pointer: `/${name}`, in: 'env', message: expect.stringMatching(message) }]);
    expect(error.message).toMatch(message);
  });

  it('reports every bad variable at once, naming each in the message', () => {
    const error = configError({
      PORT: 'abc',
      DATABASE_URL: 'mysql://x',
      REDIS_URL: 'memcached://x',
      VV_ENCRYPTION_KEY: 'short',
      VV_ADMIN_EMAIL: 'nobody',
      VV_ADMIN_PASSWORD: 'pw',
      LOG_LEVEL: 'loud',
      HOST: 'bad host',
    });
    const names = ['PORT', 'HOST', 'DATABASE_URL', 'REDIS_URL', 'VV_ENCRYPTION_KEY', 'VV_ADMIN_EMAIL', 'VV_ADMIN_PASSWORD', 'LOG_LEVEL'];
    expect(error.errors.map((e) => e.pointer)).toEqual(names.map((n) => `/${n}`));
    expect(error.message).toMatch(/^Configuration of environment is invalid: PORT must/);
    for (const name of names) expect(error.message).toContain(name);
  });

  it('never echoes values that may be secret', () => {
    const error = configError({
      DATABASE_URL: 'mysql://root:hunter2-db@db/app',
      REDIS_URL: 'http://:hunter2-redis@cache',
      VV_ENCRYPTION_KEY: 'hunter2-key',
      VV_ADMIN_PASSWORD: 'hunter2-pw',
    });
    expect(error.errors).toHaveLength(4);
    expect(JSON.stringify({ message: error.message, errors: error.errors, params: error.params })).not.toMatch(/hunter2/);
  });

  it('reads process.env by default', () => {
    const saved = process.env;
    // Replace the whole environment, so that whatever the machine running the tests has set cannot interfere.
    process.env = { PORT: '4321' };
    try {
      expect(loadEnvConfig().port).toBe(4321);
    } finally {
      process.env = saved;
    }
  });
});

describe('VV_ENCRYPTION_KEY during a key rotation', () => {
  it('accepts a comma-separated list of keys, newest first', () => {
    const keys = `${randomBytes(32).toString('base64')}, ${randomBytes(32).toString('base64')}`;
    expect(loadEnvConfig({ VV_ENCRYPTION_KEY: keys }).encryptionKey).toBe(keys);
  });
});
