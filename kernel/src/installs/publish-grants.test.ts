import type { PluginManifest } from '@valueverse/plugin-sdk';
import { grantedPublishPatterns, insideNamespace, permissionsNeedingApproval } from './publish-grants';

const manifest = (permissions: string[]): PluginManifest => ({ id: 'acme-crm', version: '1.0.0', displayName: 'CRM', kernel: '^1.0.0', main: 'index.js', permissions });

describe('publish grants of installed packages', () => {
  it('keeps a plugin inside its own namespace', () => {
    expect(insideNamespace('acme-crm.*', 'acme-crm')).toBe(true);
    expect(insideNamespace('acme-crm.deal.won', 'acme-crm')).toBe(true);
    expect(insideNamespace('acme-crmx.*', 'acme-crm')).toBe(false);
    expect(insideNamespace('*', 'acme-crm')).toBe(false);
    expect(insideNamespace('commitment.*', 'acme-crm')).toBe(false);
  });

  it('asks approval for every publish pattern outside the namespace, * included', () => {
    expect(permissionsNeedingApproval(manifest(['db', 'events.publish:acme-crm.*', 'events.publish:*', 'events.publish:commitment.*', 'events.subscribe:*']))).toEqual([
      'events.publish:*',
      'events.publish:commitment.*',
    ]);
  });

  it('grants the namespace and the approved patterns only', () => {
    const m = manifest(['events.publish:acme-crm.*', 'events.publish:*', 'events.publish:commitment.*']);
    expect(grantedPublishPatterns(m, [])).toEqual(['acme-crm.*']);
    expect(grantedPublishPatterns(m, ['events.publish:commitment.*'])).toEqual(['acme-crm.*', 'commitment.*']);
  });
});
