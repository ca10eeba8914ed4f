import { definePlugin, type VvPlugin } from '@valueverse/plugin-sdk';
import { commitmentsRef, type Commitment, type CommitmentsService } from '@valueverse/plugin-value-committer/api';

/** A stand-in for value-committer: provides `value-commitments` from an in-memory list the test controls. */
export interface FakeCommitter {
  readonly manifest: unknown;
  readonly plugin: VvPlugin;
  /** Adds or replaces a commitment (by id). */
  put(commitment: Commitment): void;
}

export function fakeCommitter(initial: readonly Commitment[] = []): FakeCommitter {
  const commitments = new Map(initial.map((c) => [c.id, c]));
  const service: CommitmentsService = {
    create: () => Promise.reject(new Error('read-only fake')),
    get: async (tenantId, id) => {
      const found = commitments.get(id);
      return found && found.tenantId === tenantId ? found : undefined;
    },
    list: async (tenantId, filter) =>
      [...commitments.values()]
        .filter((c) => c.tenantId === tenantId && (!filter?.status || filter.status.includes(c.status)))
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt)),
  };
  return {
    manifest: {
      id: 'value-committer',
      version: '1.0.0',
      displayName: 'Fake value committer',
      kernel: '^1.0.0',
      main: 'dist/index.js',
      provides: [commitmentsRef.id],
    },
    plugin: definePlugin({
      deps: {},
      setup(_deps, registrar) {
        registrar.provide(commitmentsRef, service);
      },
    }),
    put: (commitment) => commitments.set(commitment.id, commitment),
  };
}
