import type { ValueModel } from '@valueverse/plugin-calculation/api';
import { definePlugin, type VvPlugin } from '@valueverse/plugin-sdk';
import { valueModelsRef, type ValueModelsService } from '@valueverse/plugin-value-architect/api';
import { commitmentsRef, type Commitment, type CommitmentsService } from '@valueverse/plugin-value-committer/api';

/** A plugin for the test kernel, given as manifest and module. */
export interface InlinePlugin {
  readonly manifest: unknown;
  readonly plugin: VvPlugin;
}

const manifestOf = (id: string, provides: string) => ({ id, version: '1.0.0', displayName: `Fake ${id}`, kernel: '^1.0.0', main: 'dist/index.js', provides: [provides] });

/** Stands in for value-committer: `value-commitments` over a fixed list, each commitment visible to its tenant only. */
export function fakeCommitter(commitments: readonly Commitment[]): InlinePlugin {
  const service: CommitmentsService = {
    create: () => Promise.reject(new Error('read-only fake')),
    get: async (tenantId, id) => commitments.find((c) => c.id === id && c.tenantId === tenantId),
    list: async (tenantId, filter) =>
      commitments.filter((c) => c.tenantId === tenantId && (!filter?.status || filter.status.includes(c.status))).sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  };
  return { manifest: manifestOf('value-committer', commitmentsRef.id), plugin: definePlugin({ deps: {}, setup: (_deps, r) => r.provide(commitmentsRef, service) }) };
}

/** Stands in for value-architect: `value-models` with the given model versions, keyed `<tenant>/<id>@<version>`. */
export function fakeArchitect(models: Readonly<Record<string, ValueModel>>): InlinePlugin {
  const service: ValueModelsService = {
    create: () => Promise.reject(new Error('read-only fake')),
    update: () => Promise.reject(new Error('read-only fake')),
    find: async () => [],
    getVersion: async (tenantId, id, version) => {
      const model = models[`${tenantId}/${id}@${version}`];
      if (!model) return undefined;
      return {
        id,
        tenantId,
        version: version ?? 1,
        name: model.name ?? id,
        description: null,
        industry: null,
        status: 'published',
        currency: 'USD',
        model,
        origin: null,
        createdBy: 'user-1',
        createdAt: '2026-01-01T00:00:00.000Z',
      };
    },
  };
  return { manifest: manifestOf('value-architect', valueModelsRef.id), plugin: definePlugin({ deps: {}, setup: (_deps, r) => r.provide(valueModelsRef, service) }) };
}
