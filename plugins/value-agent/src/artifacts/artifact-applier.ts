import { VvError } from '@valueverse/plugin-sdk';
import type { ValueModelChanges, ValueModelInput, ValueModelsService } from '@valueverse/plugin-value-architect/api';
import type { CommitmentInput, CommitmentsService } from '@valueverse/plugin-value-committer/api';
import type { Artifact } from '../conversations/conversation-store';

/** Which plugin performs the write of each kind of artifact (a chart writes nothing). */
export const artifactOwner: Readonly<Record<Artifact['kind'], string | null>> = {
  'model-draft': 'value-architect',
  'model-change': 'value-architect',
  'commitment-proposal': 'value-committer',
  chart: null,
};

/**
 * Applies an artifact through the owning plugin's service, on behalf of the user who clicked Apply: the model or
 * commitment is checked, stored, audited and announced by that plugin exactly as its own route would.
 */
export async function applyArtifact(
  artifact: Artifact,
  context: { tenantId: string; userId: string },
  services: { models?: ValueModelsService; commitments?: CommitmentsService },
): Promise<Record<string, unknown>> {
  const unavailable = (plugin: string) => new VvError('VV_PLUGIN_NOT_ENABLED', { params: { plugin, tenant: context.tenantId } });
  switch (artifact.kind) {
    case 'model-draft': {
      if (!services.models) throw unavailable('value-architect');
      const created = await services.models.create(context.tenantId, context.userId, artifact.payload['input'] as ValueModelInput);
      return { modelId: created.id, version: created.version, name: created.name };
    }
    case 'model-change': {
      if (!services.models) throw unavailable('value-architect');
      const changes = { ...(artifact.payload['changes'] as ValueModelChanges), version: artifact.payload['baseVersion'] as number };
      const updated = await services.models.update(context.tenantId, context.userId, artifact.payload['modelId'] as string, changes);
      return { modelId: updated.id, version: updated.version, name: updated.name };
    }
    case 'commitment-proposal': {
      if (!services.commitments) throw unavailable('value-committer');
      const created = await services.commitments.create(context.tenantId, context.userId, artifact.payload['input'] as CommitmentInput);
      return { commitmentId: created.id, status: created.status, committedValue: created.committedValue, currency: created.currency, title: created.title };
    }
    case 'chart':
      return {};
  }
}
