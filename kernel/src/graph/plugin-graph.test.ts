import { VvError, type PluginManifest } from '@valueverse/plugin-sdk';
import { PluginGraph } from './plugin-graph';

const KERNEL = '1.2.0';

function m(id: string, extra: Partial<PluginManifest> = {}): PluginManifest {
  return { id, version: '1.0.0', displayName: id, kernel: '^1.0.0', main: 'dist/index.js', ...extra };
}

function build(manifests: PluginManifest[], invalid?: Map<string, VvError>): PluginGraph {
  return PluginGraph.build(manifests, { kernelVersion: KERNEL, invalid });
}

function statuses(graph: PluginGraph): Record<string, string> {
  return Object.fromEntries(graph.entries.map((e) => [e.id, e.status]));
}

describe('PluginGraph', () => {
  it('orders a chain requirements first', () => {
    const graph = build([m('cc', { requires: { bb: '^1.0.0' } }), m('bb', { requires: { aa: '^1.0.0' } }), m('aa')]);
    expect(graph.order).toEqual(['aa', 'bb', 'cc']);
    expect(graph.problems).toEqual([]);
    expect(graph.get('cc')).toEqual(expect.objectContaining({ status: 'ok', reason: undefined, error: undefined }));
    expect(graph.requirementsOf('cc')).toEqual(['aa', 'bb']);
    expect(graph.dependantsOf('aa')).toEqual(['bb', 'cc']);
    expect(graph.dependantsOf('cc')).toEqual([]);
  });

  it('orders a diamond with ties broken by id', () => {
    const graph = build([
      m('top', { requires: { left: '^1.0.0', right: '^1.0.0' } }),
      m('right', { requires: { base: '^1.0.0' } }),
      m('left', { requires: { base: '^1.0.0' } }),
      m('base'),
    ]);
    expect(graph.order).toEqual(['base', 'left', 'right', 'top']);
    expect(graph.dependantsOf('base')).toEqual(['left', 'right', 'top']);
    expect(graph.requirementsOf('top')).toEqual(['base', 'left', 'right']);
  });

  it('orders a fan: the hub first, then the spokes by id', () => {
    const graph = build([m('zz', { requires: { hub: '^1' } }), m('aa', { requires: { hub: '^1' } }), m('hub'), m('mm', { requires: { hub: '^1' } })]);
    expect(graph.order).toEqual(['hub', 'aa', 'mm', 'zz']);
  });

  it('takes the smallest ready id at each step (deterministic regardless of input order)', () => {
    const manifests = [m('bb'), m('aa', { requires: { zz: '^1' } }), m('zz'), m('cc')];
    const expected = ['bb', 'cc', 'zz', 'aa'];
    expect(build(manifests).order).toEqual(expected);
    expect(build([...manifests].reverse()).order).toEqual(expected);
  });

  it('marks both plugins of a 2-cycle with the path, each starting from itself', () => {
    const graph = build([m('aa', { requires: { bb: '^1' } }), m('bb', { requires: { aa: '^1' } }), m('cc')]);
    expect(statuses(graph)).toEqual({ aa: 'cycle', bb: 'cycle', cc: 'ok' });
    expect(graph.order).toEqual(['cc']);
    const a = graph.get('aa')!;
    expect(a.reason).toBe('dependency cycle aa → bb → aa');
    expect(a.error?.code).toBe('VV_PLUGIN_CYCLE');
    expect(a.error?.message).toBe('Plugins form a dependency cycle: aa → bb → aa');
    expect(a.error?.errors).toEqual([expect.objectContaining({ pointer: '/requires/bb', in: 'manifest' })]);
    expect(graph.get('bb')?.reason).toBe('dependency cycle bb → aa → bb');
  });

  it('marks every plugin of a 3-cycle with the full path', () => {
    const graph = build([m('aa', { requires: { bb: '^1' } }), m('bb', { requires: { cc: '^1' } }), m('cc', { requires: { aa: '^1' } })]);
    expect(graph.get('aa')?.error?.params.cycle).toBe('aa → bb → cc → aa');
    expect(graph.get('bb')?.error?.params.cycle).toBe('bb → cc → aa → bb');
    expect(graph.get('cc')?.error?.params.cycle).toBe('cc → aa → bb → cc');
    expect(graph.order).toEqual([]);
    expect(graph.problems.map((p) => [p.plugin, p.error.code])).toEqual([
      ['aa', 'VV_PLUGIN_CYCLE'],
      ['bb', 'VV_PLUGIN_CYCLE'],
      ['cc', 'VV_PLUGIN_CYCLE'],
    ]);
  });

  it('gives each member of a figure-eight component a real cycle through itself', () => {
    // aa ⇄ bb and aa ⇄ cc: one component, no single cycle through all three.
    const graph = build([m('aa', { requires: { bb: '^1', cc: '^1' } }), m('bb', { requires: { aa: '^1' } }), m('cc', { requires: { aa: '^1' } })]);
    expect(graph.get('aa')?.error?.params.cycle).toBe('aa → bb → aa');
    expect(graph.get('bb')?.error?.params.cycle).toBe('bb → aa → bb');
    expect(graph.get('cc')?.error?.params.cycle).toBe('cc → aa → cc');
  });

  it('treats a self-requirement that got past the validator as a cycle', () => {
    const graph = build([m('aa', { requires: { aa: '^1' } })]);
    expect(graph.get('aa')?.reason).toBe('dependency cycle aa → aa');
  });

  it('blocks plugins that require a plugin in a cycle, naming the cycle', () => {
    const graph = build([m('aa', { requires: { bb: '^1' } }), m('bb', { requires: { aa: '^1' } }), m('user', { requires: { aa: '^1' } })]);
    expect(graph.get('user')?.status).toBe('blocked');
    expect(graph.get('user')?.reason).toBe('requires aa (in cycle aa → bb → aa)');
  });

  it('reports a missing dependency with its range', () => {
    const graph = build([m('aa', { requires: { ghost: '^2.0.0' } }), m('bb')]);
    const a = graph.get('aa')!;
    expect(a.status).toBe('missing-dependency');
    expect(a.reason).toBe('requires ghost ^2.0.0 (missing)');
    expect(a.error?.code).toBe('VV_PLUGIN_MISSING_DEPENDENCY');
    expect(a.error?.message).toBe('Plugin "aa" requires "ghost" ^2.0.0: it is not installed');
    expect(a.error?.errors).toEqual([expect.objectContaining({ pointer: '/requires/ghost' })]);
    expect(graph.order).toEqual(['bb']);
    expect(graph.requirementsOf('aa')).toEqual(['ghost']);
  });

  it('reports an incompatible dependency naming the range and the version found', () => {
    const graph = build([m('aa', { requires: { bb: '^2.0.0' } }), m('bb', { version: '1.4.0' })]);
    const a = graph.get('aa')!;
    expect(a.status).toBe('incompatible-dependency');
    expect(a.reason).toBe('requires bb ^2.0.0 but bb is 1.4.0');
    expect(a.error?.message).toBe('Plugin "aa" requires "bb" ^2.0.0: "bb" is at version 1.4.0');
    expect(graph.order).toEqual(['bb']);
  });

  it('applies the pre-release rule to dependency versions too', () => {
    const graph = build([m('aa', { requires: { bb: '^1.0.0' } }), m('bb', { version: '1.1.0-rc.1' })]);
    expect(graph.get('aa')?.status).toBe('incompatible-dependency');
  });

  it('lists every unmet requirement, missing ones first in the status', () => {
    const graph = build([m('aa', { requires: { bb: '^2.0.0', zz: '^1.0.0' } }), m('bb')]);
    const a = graph.get('aa')!;
    expect(a.status).toBe('missing-dependency');
    expect(a.reason).toBe('requires bb ^2.0.0 but bb is 1.0.0; requires zz ^1.0.0 (missing)');
    expect(a.error?.message).toBe('Plugin "aa" has unmet requirements: requires bb ^2.0.0 but bb is 1.0.0; requires zz ^1.0.0 (missing)');
    expect(a.error?.errors.map((e) => e.pointer)).toEqual(['/requires/bb', '/requires/zz']);
  });

  it('blocks transitively and names the chain down to the root cause', () => {
    const graph = build([m('aa', { requires: { bb: '^1' } }), m('bb', { requires: { cc: '^1' } }), m('cc', { requires: { dd: '^1.0.0' } }), m('free')]);
    expect(statuses(graph)).toEqual({ aa: 'blocked', bb: 'blocked', cc: 'missing-dependency', free: 'ok' });
    expect(graph.get('bb')?.reason).toBe('requires cc which requires dd ^1.0.0 (missing)');
    expect(graph.get('aa')?.reason).toBe('requires bb which requires cc which requires dd ^1.0.0 (missing)');
    const error = graph.get('aa')!.error!;
    expect(error.code).toBe('VV_PLUGIN_MISSING_DEPENDENCY');
    expect(error.params).toEqual(expect.objectContaining({ plugin: 'aa', dependency: 'bb', range: '^1' }));
    expect(error.message).toBe('Plugin "aa" is blocked: it requires bb which requires cc which requires dd ^1.0.0 (missing)');
    expect(graph.order).toEqual(['free']);
    expect(graph.dependantsOf('cc')).toEqual(['aa', 'bb']);
  });

  it('shortens very long chains in the middle, keeping the first hops and the root cause', () => {
    const manifests = Array.from({ length: 10 }, (_, i) => m(`p${i}`, { requires: { [i === 9 ? 'gone' : `p${i + 1}`]: '^1.0.0' } }));
    const graph = build(manifests);
    expect(graph.get('p0')?.reason).toBe('requires p1 which requires p2 which requires p3 which requires … (5 more) which requires p9 which requires gone ^1.0.0 (missing)');
    expect(graph.get('p5')?.reason).toBe('requires p6 which requires p7 which requires p8 which requires p9 which requires gone ^1.0.0 (missing)');
  });

  it('blocks dependants of an incompatible plugin and of a kernel-incompatible one', () => {
    const graph = build([
      m('aa', { requires: { bb: '^1' } }),
      m('bb', { requires: { cc: '^3.0.0' } }),
      m('cc'),
      m('old', { kernel: '^0.9.0' }),
      m('uses-old', { requires: { old: '^1' } }),
    ]);
    expect(graph.get('aa')?.reason).toBe('requires bb which requires cc ^3.0.0 but cc is 1.0.0');
    expect(graph.get('old')?.status).toBe('invalid');
    expect(graph.get('old')?.error?.code).toBe('VV_KERNEL_INCOMPATIBLE');
    expect(graph.get('old')?.error?.params).toEqual({ plugin: 'old', range: '^0.9.0', kernelVersion: KERNEL });
    expect(graph.get('uses-old')?.reason).toBe('requires old (built for kernel ^0.9.0)');
    expect(graph.order).toEqual(['cc']);
  });

  it('marks plugins the caller reports invalid, with or without a manifest, and blocks their dependants', () => {
    const broken = new VvError('VV_MANIFEST_INVALID', { params: { plugin: 'broken', problems: '/version is invalid' } });
    const unloadable = new VvError('VV_PLUGIN_FAILED', { params: { plugin: 'unloadable', state: 'failed', reason: 'no export' } });
    const graph = build(
      [m('aa', { requires: { broken: '^1' } }), m('unloadable'), m('bb', { requires: { unloadable: '^1' } })],
      new Map([
        ['broken', broken],
        ['unloadable', unloadable],
      ]),
    );
    expect(graph.get('broken')).toEqual({ id: 'broken', manifest: undefined, status: 'invalid', reason: broken.message, error: broken });
    expect(graph.get('unloadable')?.error).toBe(unloadable);
    expect(graph.get('aa')?.reason).toBe('requires broken (invalid)');
    expect(graph.get('bb')?.reason).toBe('requires unloadable (invalid)');
    expect(graph.order).toEqual([]);
    expect(graph.problems.filter((p) => p.severity === 'error').map((p) => p.plugin)).toEqual(['aa', 'bb', 'broken', 'unloadable']);
  });

  it('orders a present, compatible optional dependency first', () => {
    const graph = build([m('aa', { optional: { zz: '^1.0.0' } }), m('zz')]);
    expect(graph.order).toEqual(['zz', 'aa']);
    expect(graph.problems).toEqual([]);
    expect(graph.dependantsOf('zz')).toEqual([]);
  });

  it('ignores an absent optional dependency', () => {
    const graph = build([m('aa', { optional: { zz: '^1.0.0' } })]);
    expect(graph.get('aa')?.status).toBe('ok');
    expect(graph.order).toEqual(['aa']);
    expect(graph.problems).toEqual([]);
    expect(graph.requirementsOf('aa')).toEqual([]);
  });

  it('ignores an incompatible optional dependency with a warning', () => {
    const graph = build([m('aa', { optional: { zz: '^2.0.0' } }), m('zz')]);
    expect(graph.get('aa')?.status).toBe('ok');
    expect(graph.order).toEqual(['aa', 'zz']);
    expect(graph.problems).toHaveLength(1);
    const [warning] = graph.problems;
    expect(warning.severity).toBe('warning');
    expect(warning.plugin).toBe('aa');
    expect(warning.error.code).toBe('VV_PLUGIN_MISSING_DEPENDENCY');
    expect(warning.error.message).toBe('Plugin "aa" requires "zz" ^2.0.0: "zz" is at version 1.0.0; the optional dependency is ignored');
    expect(warning.error.errors[0]?.pointer).toBe('/optional/zz');
  });

  it('ignores an optional dependency that cannot start, without blocking', () => {
    const graph = build([m('aa', { optional: { zz: '^1.0.0' } }), m('zz', { requires: { gone: '^1' } })]);
    expect(statuses(graph)).toEqual({ aa: 'ok', zz: 'missing-dependency' });
    expect(graph.order).toEqual(['aa']);
  });

  it('drops an optional edge that would close a cycle with required ones, with a warning', () => {
    const graph = build([m('aa', { requires: { bb: '^1' } }), m('bb', { optional: { aa: '^1.0.0' } })]);
    expect(statuses(graph)).toEqual({ aa: 'ok', bb: 'ok' });
    expect(graph.order).toEqual(['bb', 'aa']);
    expect(graph.problems).toEqual([expect.objectContaining({ plugin: 'bb', severity: 'warning' })]);
    expect(graph.problems[0].error.message).toMatch(/would form a cycle/);
  });

  it('names the provider of a service ref', () => {
    const graph = build([m('calculation', { provides: ['calculation'] }), m('committer', { provides: ['committer.commitments'] })]);
    expect(graph.providerOf('calculation')).toBe('calculation');
    expect(graph.providerOf('committer.commitments')).toBe('committer');
    expect(graph.providerOf('core.http')).toBeUndefined();
  });

  // Several providers of one id are legitimate for a multi-provider ref, which a manifest cannot express; the service
  // registry refuses a second provider of a single-provider ref when it registers (see kernel-multi-provider.test.ts).
  it('leaves several providers of one ref to the service registry, naming the first ok one by id', () => {
    const graph = build([m('aa', { provides: ['mail'], requires: { gone: '^1' } }), m('bb', { provides: ['x', 'mail'] }), m('cc', { provides: ['mail'] })]);
    expect(graph.problems.filter((p) => p.error.code === 'VV_CONFLICT')).toEqual([]);
    expect(graph.get('bb')?.status).toBe('ok');
    expect(graph.get('cc')?.status).toBe('ok');
    expect(graph.providerOf('mail')).toBe('bb');
  });

  it('keeps the first of two manifests with the same id and reports the second', () => {
    const graph = build([m('aa'), m('aa', { version: '2.0.0' })]);
    expect(graph.get('aa')?.manifest?.version).toBe('1.0.0');
    expect(graph.problems).toEqual([expect.objectContaining({ plugin: 'aa', severity: 'error' })]);
    expect(graph.problems[0].error.code).toBe('VV_MANIFEST_INVALID');
  });

  it('answers empty for unknown ids', () => {
    const graph = build([m('aa')]);
    expect(graph.get('nope')).toBeUndefined();
    expect(graph.dependantsOf('nope')).toEqual([]);
    expect(graph.requirementsOf('nope')).toEqual([]);
  });

  it('refuses a kernel version that is not semver (a kernel bug)', () => {
    expect(() => PluginGraph.build([m('aa')], { kernelVersion: 'dev' })).toThrow(expect.objectContaining({ code: 'VV_INTERNAL' }));
  });

  describe('size (timing lives in test/bench, `npm run bench -- kernel`)', () => {
    const id = (i: number): string => `p${String(i).padStart(3, '0')}`;

    it('builds a 500-plugin chain in order', () => {
      const manifests = Array.from({ length: 500 }, (_, i) => m(id(i), i === 0 ? {} : { requires: { [id(i - 1)]: '^1.0.0' } }));
      const graph = build(manifests.reverse());
      expect(graph.order).toHaveLength(500);
      expect(graph.order[0]).toBe('p000');
      expect(graph.order[499]).toBe('p499');
      expect(graph.dependantsOf('p000')).toHaveLength(499);
      expect(graph.requirementsOf('p499')).toHaveLength(499);
    });

    it('builds a 500-wide fan', () => {
      const manifests = [m('hub'), ...Array.from({ length: 500 }, (_, i) => m(id(i), { requires: { hub: '^1.0.0' } }))];
      const graph = build(manifests);
      expect(graph.order[0]).toBe('hub');
      expect(graph.order).toHaveLength(501);
    });

    it('builds a 500-plugin chain blocked at its root, with short reasons', () => {
      const manifests = Array.from({ length: 500 }, (_, i) => m(id(i), { requires: { [i === 0 ? 'gone' : id(i - 1)]: '^1.0.0' } }));
      const graph = build(manifests);
      expect(graph.order).toEqual([]);
      expect(graph.get('p499')?.reason).toBe(
        'requires p498 which requires p497 which requires p496 which requires … (495 more) which requires p000 which requires gone ^1.0.0 (missing)',
      );
    });

    it('builds a 500-plugin ring as one cycle', () => {
      const manifests = Array.from({ length: 500 }, (_, i) => m(id(i), { requires: { [id((i + 1) % 500)]: '^1.0.0' } }));
      const graph = build(manifests);
      expect(graph.entries.every((e) => e.status === 'cycle')).toBe(true);
      expect(graph.get('p000')?.error?.params.cycle).toMatch(/^p000 → p001 → .* → p499 → p000$/);
    });
  });
});
