import { VvError, type FieldProblem } from '../errors/vv-error';
import { validateManifest } from './validate-manifest';

const SOURCE = '/plugins/value-committer/plugin.json';

function fullManifest(): Record<string, unknown> {
  return {
    $schema: 'https://valueverse.dev/schemas/plugin-manifest.json',
    id: 'value-committer',
    version: '1.0.0',
    displayName: 'Value Committer',
    description: 'Commitments, milestones and success criteria',
    kernel: '^1.0.0',
    main: 'dist/index.js',
    requires: { 'value-architect': '^1.0.0', calculation: '>=1.2.0 <3' },
    optional: { notifications: '^1.0.0' },
    provides: ['value-committer.commitments', 'commitments'],
    uses: ['ai.chat'],
    permissions: ['db', 'jobs', 'audit', 'http.outbound', 'events.publish:commitment.*', 'events.subscribe:value-model.*'],
    outbound: { origins: ['https://hooks.example.com', 'https://*.example.org:8443'], configFields: ['webhook'] },
    config: {
      type: 'object',
      properties: {
        apiKey: { type: 'string', 'x-secret': true, 'x-secret-bound-to': ['webhook'] },
        reminderDays: { type: 'integer', minimum: 1, default: 7 },
        webhook: { type: 'string', format: 'uri' },
      },
      required: ['reminderDays'],
      additionalProperties: false,
    },
    routes: ['/commitments', '/milestones'],
    ui: { nav: [{ label: 'Commitments', path: 'commitments', icon: 'flag', element: 'vv-commitments' }], elements: 'ui/elements.js' },
  };
}

function problemsOf(raw: unknown): { error: VvError; problems: readonly FieldProblem[] } {
  try {
    validateManifest(raw, SOURCE);
  } catch (error) {
    expect(error).toBeInstanceOf(VvError);
    const vv = error as VvError;
    expect(vv.code).toBe('VV_MANIFEST_INVALID');
    return { error: vv, problems: vv.errors };
  }
  throw new Error('expected validateManifest to throw');
}

function pointers(raw: unknown): string[] {
  return problemsOf(raw).problems.map((p) => p.pointer);
}

function withChange(change: (m: Record<string, unknown>) => void): Record<string, unknown> {
  const m = fullManifest();
  change(m);
  return m;
}

describe('validateManifest', () => {
  it('accepts a full manifest and returns a frozen copy', () => {
    const raw = fullManifest();
    const manifest = validateManifest(raw, SOURCE);
    expect(manifest).toEqual(raw);
    expect(manifest).not.toBe(raw);
    expect(Object.isFrozen(manifest)).toBe(true);
    expect(Object.isFrozen(manifest.requires)).toBe(true);
    expect(Object.isFrozen(manifest.ui?.nav?.[0])).toBe(true);
  });

  it('accepts a minimal manifest', () => {
    const manifest = validateManifest({ id: 'ab', version: '0.1.0-beta.2', displayName: 'A', kernel: '1.x', main: 'index.js' }, SOURCE);
    expect(manifest.id).toBe('ab');
  });

  it('accepts the first-party calculation manifest shape (single-word provides)', () => {
    expect(() =>
      validateManifest(
        { id: 'calculation', version: '1.0.0', displayName: 'Calculation', kernel: '^1.0.0', main: 'dist/index.js', provides: ['calculation'], routes: ['/calculate'] },
        SOURCE,
      ),
    ).not.toThrow();
  });

  it('lets any plugin provide an SDK shared multi-provider service such as "ai.chat"', () => {
    const manifest = validateManifest({ id: 'ai-together', version: '1.0.0', displayName: 'Together', kernel: '^1.0.0', main: 'dist/index.js', provides: ['ai.chat'] }, SOURCE);
    expect(manifest.provides).toEqual(['ai.chat']);
    expect(pointers(withChange((m) => (m.provides = ['ai.other'])))).toContain('/provides/0');
  });

  const cases: [string, (m: Record<string, unknown>) => void, string, RegExp][] = [
    ['missing id', (m) => delete m.id, '/id', /is required/],
    ['missing main', (m) => delete m.main, '/main', /is required/],
    ['id with upper case', (m) => (m.id = 'Value-Committer'), '/id', /plugin id.*got "Value-Committer"/],
    ['id of one character', (m) => (m.id = 'v'), '/id', /plugin id/],
    ['version that is not semver', (m) => (m.version = '1.0'), '/version', /semver version.*got "1.0"/],
    ['kernel range that is not a range', (m) => (m.kernel = 'latest'), '/kernel', /semver range/],
    ['blank kernel range', (m) => (m.kernel = ''), '/kernel', /semver range/],
    ['unknown top-level key', (m) => (m.colour = 'red'), '/colour', /^unknown key$/],
    ['unknown key under ui', (m) => ((m.ui as Record<string, unknown>).color = 'red'), '/ui/color', /^unknown key$/],
    ['unknown key in a nav entry', (m) => ((m.ui as { nav: Record<string, unknown>[] }).nav[0].badge = 1), '/ui/nav/0/badge', /^unknown key$/],
    ['nav entry without label', (m) => delete (m.ui as { nav: Record<string, unknown>[] }).nav[0].label, '/ui/nav/0/label', /is required/],
    ['wrong type for routes', (m) => (m.routes = '/commitments'), '/routes', /must be array/],
    ['wrong type for displayName', (m) => (m.displayName = 42), '/displayName', /must be string/],
    ['route prefix without leading slash', (m) => (m.routes = ['commitments']), '/routes/0', /path prefix/],
    ['route prefix with upper case', (m) => (m.routes = ['/commitments', '/Milestones']), '/routes/1', /path prefix/],
    ['nested route prefixes', (m) => (m.routes = ['/commitments/open', '/commitments']), '/routes/0', /nested in "\/commitments"/],
    ['duplicate route prefixes', (m) => (m.routes = ['/a', '/a']), '/routes/1', /duplicates item 0/],
    ['unknown permission', (m) => (m.permissions = ['db', 'filesystem']), '/permissions/1', /one of "db"/],
    ['event permission without pattern', (m) => (m.permissions = ['events.publish:']), '/permissions/0', /one of "db"/],
    ['self-requirement', (m) => (m.requires = { 'value-committer': '^1.0.0' }), '/requires/value-committer', /cannot require itself/],
    ['optional self-dependency', (m) => (m.optional = { 'value-committer': '^1.0.0' }), '/optional/value-committer', /cannot depend on itself/],
    ['same id required and optional', (m) => (m.optional = { calculation: '^1.0.0' }), '/optional/calculation', /also listed under requires/],
    ['dependency id that is not a plugin id', (m) => (m.requires = { Calc: '^1.0.0' }), '/requires/Calc', /plugin id.*got "Calc"/],
    ['dependency range that is not a range', (m) => (m.requires = { calculation: 'one' }), '/requires/calculation', /semver range/],
    ['config that is not an object schema', (m) => (m.config = { type: 'string' }), '/config/type', /constant/],
    ['config without type', (m) => (m.config = { properties: {} }), '/config/type', /is required/],
    ['config schema that does not compile', (m) => (m.config = { type: 'object', properties: { a: { type: 'strin' } } }), '/config', /not a valid JSON Schema/],
    ['config schema with an unknown keyword', (m) => (m.config = { type: 'object', properties: { a: { tpye: 'string' } } }), '/config', /unknown keyword: "tpye"/],
    ['main escaping the plugin folder', (m) => (m.main = '../other/index.js'), '/main', /no "\.\."/],
    ['absolute main', (m) => (m.main = '/etc/index.js'), '/main', /relative path/],
    ['main that is not a module', (m) => (m.main = 'dist/index.json'), '/main', /\.js, \.cjs or \.ts/],
    ['duplicate provides', (m) => (m.provides = ['value-committer.a', 'value-committer.a']), '/provides/1', /duplicates item 0/],
    ['provides namespaced by another plugin', (m) => (m.provides = ['value-committer.a', 'calculation.npv']), '/provides/1', /must start with "value-committer\."/],
    ['provides in the core namespace', (m) => (m.provides = ['core.http']), '/provides/0', /reserved for kernel/],
    ['uses with an id that is not a service id', (m) => (m.uses = ['AI chat']), '/uses/0', /must match pattern/],
    ['uses in the core namespace', (m) => (m.uses = ['ai.chat', 'core.db']), '/uses/1', /kernel services need no "uses"/],
    ['uses of a service it provides', (m) => (m.uses = ['commitments']), '/uses/0', /also listed under provides/],
    ['ui elements outside the folder', (m) => ((m.ui as Record<string, unknown>).elements = '../x.js'), '/ui/elements', /relative path/],
  ];

  it.each(cases)('rejects %s', (_name, change, pointer, message) => {
    const { problems } = problemsOf(withChange(change));
    const problem = problems.find((p) => p.pointer === pointer);
    expect(problem).toBeDefined();
    expect(problem?.message).toMatch(message);
    expect(problem?.in).toBe('manifest');
  });

  it('reports every problem at once, each with its pointer, and names them in the message', () => {
    const raw = withChange((m) => {
      m.id = 'Bad';
      m.version = 'x';
      m.extra = true;
      (m.ui as Record<string, unknown>).color = 'red';
      m.routes = ['/a', '/a/b'];
      m.requires = { calculation: '^1.0.0' };
      m.optional = { calculation: '^1.0.0' };
    });
    const { error, problems } = problemsOf(raw);
    expect(problems.map((p) => p.pointer).sort()).toEqual(['/extra', '/id', '/optional/calculation', '/routes/1', '/ui/color', '/version']);
    expect(error.params.plugin).toBe('Bad');
    expect(error.params.source).toBe(SOURCE);
    for (const pointer of ['/extra', '/id', '/ui/color', '/version', '/routes/1', '/optional/calculation']) {
      expect(error.message).toContain(pointer);
    }
    expect(error.message).toMatch(/^Manifest of plugin "Bad" is invalid: /);
  });

  it('names the source when the manifest has no id', () => {
    const { error } = problemsOf(withChange((m) => delete m.id));
    expect(error.params.plugin).toBe(SOURCE);
    expect(error.status).toBe(422);
  });

  it.each([
    ['null', null],
    ['an array', []],
    ['a string', 'plugin'],
  ])('rejects %s at the root pointer', (_name, raw) => {
    expect(pointers(raw)).toEqual(['']);
  });

  it('escapes pointer segments (RFC 6901)', () => {
    expect(pointers(withChange((m) => (m['a/b~c'] = 1)))).toEqual(['/a~1b~0c']);
  });

  it('lets a config schema carry a $id and validates the same manifest twice', () => {
    const raw = withChange((m) => {
      m.config = { $id: 'urn:valueverse:test-config', type: 'object', properties: { n: { type: 'number' } } };
      m.outbound = { origins: ['https://hooks.example.com'] };
    });
    expect(() => validateManifest(raw, SOURCE)).not.toThrow();
    expect(() => validateManifest(raw, SOURCE)).not.toThrow();
  });

  it('does not freeze or alias the caller object', () => {
    const raw = fullManifest();
    validateManifest(raw, SOURCE);
    expect(Object.isFrozen(raw)).toBe(false);
  });

  describe('outbound allowlist and secret binding (issue #10, finding 4)', () => {
    it('requires "outbound" with permission "http.outbound", and the permission with "outbound"', () => {
      expect(problemsOf(withChange((m) => delete m.outbound)).problems).toEqual([
        expect.objectContaining({ pointer: '/outbound', message: expect.stringContaining('is required with permission "http.outbound"') }),
      ]);
      const noPermission = withChange((m) => (m.permissions = ['db']));
      expect(problemsOf(noPermission).problems).toEqual([expect.objectContaining({ pointer: '/outbound', message: 'needs permission "http.outbound"' })]);
    });

    it.each([
      ['a path', 'https://hooks.example.com/v1'],
      ['another scheme', 'ftp://hooks.example.com'],
      ['a bare wildcard', 'https://*'],
      ['port 0', 'https://hooks.example.com:0'],
      ['upper case', 'https://Hooks.example.com'],
    ])('refuses an origin with %s', (_name, origin) => {
      const { problems } = problemsOf(withChange((m) => (m.outbound = { origins: [origin], configFields: ['webhook'] })));
      expect(problems).toEqual([expect.objectContaining({ pointer: '/outbound/origins/0', message: expect.stringContaining('must be an origin') })]);
    });

    it('refuses an empty or unknown outbound declaration', () => {
      expect(pointers(withChange((m) => (m.outbound = {})))).toEqual(['/outbound']);
      expect(pointers(withChange((m) => (m.outbound = { hosts: ['x'] })))).toEqual(['/outbound/hosts']);
    });

    it('checks that each config field is a string, non-secret property of the config', () => {
      expect(problemsOf(withChange((m) => (m.outbound = { configFields: ['baseUrl'] }))).problems).toEqual([
        expect.objectContaining({ pointer: '/outbound/configFields/0', message: '"baseUrl" is not a property of the config schema' }),
      ]);
    });

    it('accepts a dotted config field naming a string inside a nested object, and refuses one naming nothing', () => {
      const nested = (field: string) =>
        withChange((m) => {
          (m.config as { properties: Record<string, unknown> }).properties.slack = { type: 'object', properties: { webhookUrl: { type: 'string' } } };
          m.outbound = { configFields: [field] };
        });
      expect(() => validateManifest(nested('slack.webhookUrl'), SOURCE)).not.toThrow();
      expect(problemsOf(nested('slack.url')).problems).toEqual([
        expect.objectContaining({ pointer: '/outbound/configFields/0', message: '"slack.url" is not a property of the config schema' }),
      ]);
      expect(new Set(pointers(nested('slack..url')))).toEqual(new Set(['/outbound/configFields/0']));
    });

    it('refuses a config field that is a number or a secret', () => {
      expect(problemsOf(withChange((m) => (m.outbound = { configFields: ['reminderDays'] }))).problems.map((p) => p.message)).toContain(
        '"reminderDays" must be a string (URL) property of the config schema',
      );
      expect(problemsOf(withChange((m) => (m.outbound = { configFields: ['apiKey'] }))).problems.map((p) => p.message)).toContain(
        '"apiKey" is a secret; a destination is shown to admins, so it cannot be one',
      );
    });

    it('requires every top-level secret to say which destination fields it is bound to', () => {
      const raw = withChange((m) => delete (m.config as { properties: Record<string, Record<string, unknown>> }).properties.apiKey!['x-secret-bound-to']);
      expect(problemsOf(raw).problems).toEqual([
        expect.objectContaining({ pointer: '/config/properties/apiKey', message: expect.stringContaining('declare "x-secret-bound-to" (e.g. ["webhook"]') }),
      ]);
      const unbound = withChange((m) => ((m.config as { properties: Record<string, Record<string, unknown>> }).properties.apiKey!['x-secret-bound-to'] = []));
      expect(() => validateManifest(unbound, SOURCE)).not.toThrow();
    });

    it('checks x-secret-bound-to: on a secret, naming existing non-secret siblings', () => {
      const config = (properties: Record<string, unknown>) =>
        withChange((m) => {
          m.config = { type: 'object', properties };
          m.outbound = { origins: ['https://hooks.example.com'] };
        });
      expect(problemsOf(config({ url: { type: 'string', 'x-secret-bound-to': ['x'] } })).problems.map((p) => p.message)).toEqual([
        'only a secret ("x-secret": true) can be bound to destination fields',
        '"x" is not a sibling property',
      ]);
      expect(problemsOf(config({ a: { type: 'string', 'x-secret': true }, k: { type: 'string', 'x-secret': true, 'x-secret-bound-to': ['a'] } })).problems).toEqual([
        expect.objectContaining({ pointer: '/config/properties/k/x-secret-bound-to', message: '"a" is a secret, not a destination' }),
      ]);
      expect(pointers(config({ k: { type: 'string', 'x-secret': true, 'x-secret-bound-to': 'url' } }))).toEqual(['/config/properties/k/x-secret-bound-to']);
      const nested = config({ hook: { type: 'object', properties: { url: { type: 'string' }, token: { type: 'string', 'x-secret': true, 'x-secret-bound-to': ['url'] } } } });
      expect(() => validateManifest(nested, SOURCE)).not.toThrow();
      const inArray = config({
        hooks: { type: 'array', items: { type: 'object', properties: { url: { type: 'string' }, token: { type: 'string', 'x-secret': true, 'x-secret-bound-to': ['url'] } } } },
      });
      expect(problemsOf(inArray).problems).toEqual([
        expect.objectContaining({
          pointer: '/config/properties/hooks/items/properties/token/x-secret-bound-to',
          message: expect.stringContaining('only supported on object properties'),
        }),
      ]);
    });
  });
});
