import type { Routes } from '@angular/router';
import type { TenantPlugin } from '../api/admin-api';
import { elementsUrl, isLifecyclePage, navEntries, navSignature, withPluginRoutes } from './plugin-nav';

const plugin = (pluginId: string, extra: Partial<TenantPlugin> = {}): TenantPlugin => ({
  pluginId,
  displayName: pluginId,
  version: '1.0.0',
  state: 'running',
  enabled: true,
  config: {},
  requires: [],
  dependants: [],
  ...extra,
});

describe('plugin navigation', () => {
  it("tells the lifecycle pages (the dashboard lists them as steps) from other plugins' pages", () => {
    expect(['value-models', 'what-if', 'value-report', 'commitments', 'realization', 'amplify'].every(isLifecyclePage)).toBe(true);
    expect(['billing', 'billing-admin', 'acme-page'].some(isLifecyclePage)).toBe(false);
  });

  it('takes entries from enabled plugins’ manifests only', () => {
    const entries = navEntries([
      plugin('calculation', {
        ui: {
          nav: [
            { label: 'What-if', path: 'what-if', icon: 'tune' },
            { label: 'Value report', path: 'value-report' },
          ],
        },
      }),
      plugin('no-nav'),
      plugin('insights', { ui: { nav: [{ label: 'Insights', path: 'insights', element: 'x-insights' }], elements: 'ui/elements.js' } }),
      plugin('value-executor', { ui: { nav: [{ label: 'Realization', path: 'realization', icon: 'trending_up' }] } }),
      plugin('disabled', { enabled: false, ui: { nav: [{ label: 'Hidden', path: 'hidden' }] } }),
      plugin('broken', { state: 'failed', ui: { nav: [{ label: 'Broken', path: 'broken' }] } }),
    ]);
    // The lifecycle pages first, in lifecycle order; other plugins' pages after them, in plugin order.
    expect(entries.map((e) => e.label)).toEqual(['What-if', 'Report', 'Realization', 'Insights', 'Broken']);
    expect(entries.find((e) => e.path === 'insights')).toMatchObject({ element: 'x-insights', elementsUrl: '/plugin-assets/insights/ui/elements.js', available: true });
    expect(entries.find((e) => e.path === 'realization')?.icon).toBe('trending_up');
    expect(entries.find((e) => e.path === 'value-report')?.icon).toBeUndefined();
    expect(entries.find((e) => e.path === 'broken')?.available).toBe(false);
  });

  it('follows the value lifecycle with human labels, whatever order the plugins come in (issue 19)', () => {
    const entries = navEntries([
      plugin('value-amplifier', { ui: { nav: [{ label: 'Amplify', path: 'amplify' }] } }),
      plugin('value-executor', { ui: { nav: [{ label: 'Realization', path: 'realization' }] } }),
      plugin('value-committer', { ui: { nav: [{ label: 'Commitments', path: 'commitments' }] } }),
      plugin('calculation', {
        ui: {
          nav: [
            { label: 'What-if', path: 'what-if' },
            { label: 'Value report', path: 'value-report' },
          ],
        },
      }),
      plugin('value-architect', { ui: { nav: [{ label: 'value-architect', path: 'value-models' }] } }),
    ]);
    expect(entries.map((e) => e.label)).toEqual(['Models', 'What-if', 'Report', 'Commitments', 'Realization', 'Amplify']);
  });

  it('keeps the first entry for a path when two plugins claim it', () => {
    const entries = navEntries([plugin('a', { ui: { nav: [{ label: 'A', path: 'same' }] } }), plugin('b', { ui: { nav: [{ label: 'B', path: 'same' }] } })]);
    expect(entries).toHaveLength(1);
    expect(entries[0]!.pluginId).toBe('a');
  });

  it('resolves element bundle URLs', () => {
    expect(elementsUrl('p', undefined)).toBeUndefined();
    expect(elementsUrl('p', 'ui/el ements.js')).toBe('/plugin-assets/p/ui/el%20ements.js');
    expect(elementsUrl('p', 'https://cdn.example.com/x.js')).toBe('https://cdn.example.com/x.js');
  });

  it('changes its signature only when what the navigation shows changes', () => {
    const a = navSignature([plugin('x'), plugin('y', { enabled: false })]);
    expect(navSignature([plugin('x'), plugin('y', { enabled: false, config: { k: 1 } })])).toBe(a);
    expect(navSignature([plugin('x'), plugin('y')])).not.toBe(a);
  });

  it('inserts plugin routes before the shell’s ** and replaces the previous ones', () => {
    const page = () => Promise.resolve(class {});
    const config: Routes = [{ path: 'sign-in' }, { path: '', children: [{ path: 'workspace' }, { path: 'workspace/what-if' }, { path: '**' }] }];
    const first = withPluginRoutes(config, navEntries([plugin('insights', { ui: { nav: [{ label: 'Insights', path: 'insights' }] } }), plugin('calculation')]), page);
    expect(first[1]!.children!.map((r) => r.path)).toEqual(['workspace', 'workspace/what-if', 'workspace/insights', '**']);
    expect(first[1]!.children![2]!.data).toMatchObject({ pluginRoute: true, entry: { pluginId: 'insights' } });

    const second = withPluginRoutes(first, navEntries([plugin('other', { ui: { nav: [{ label: 'Other', path: 'other' }] } })]), page);
    expect(second[1]!.children!.map((r) => r.path)).toEqual(['workspace', 'workspace/what-if', 'workspace/other', '**']);
    expect(second[0]).toBe(config[0]);
  });
});
