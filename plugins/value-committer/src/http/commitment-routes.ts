import { randomInt, randomUUID } from 'node:crypto';
import { VvError, respond, type AuditLog, type EventBus, type FieldProblem, type PluginRequest, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { CalculationService } from '@valueverse/plugin-calculation/api';
import type { ValueModelsService } from '@valueverse/plugin-value-architect/api';
import type { CommitmentStatus, Milestone, SuccessCriterion } from '../commitments-api';
import type { AppliedTransition, CommitmentContent, CommitmentResource, CommitmentStore } from '../commitments/commitment-store';
import { transitionEvent } from '../commitments/commitment-lifecycle';
import { committedValueOf } from '../commitments/committed-value';
import { checkMetricDefinitions, type MetricDefinitionInput } from '../commitments/metric-definitions';
import { commitmentResponses, commitmentSchemas, idParams } from './commitment-schemas';

export interface CommitmentRouteDeps {
  readonly store: CommitmentStore;
  readonly models: ValueModelsService;
  readonly calc: CalculationService;
  readonly events: EventBus;
  readonly audit: AuditLog;
}

type MilestoneInput = Omit<Milestone, 'id'> & { id?: string };
type CriterionInput = Omit<SuccessCriterion, 'id'> & { id?: string };

interface ContentBody {
  title?: string;
  modelVersion?: number;
  confidence?: number;
  trials?: number;
  seed?: number;
  allowNonPositive?: boolean;
  milestones?: MilestoneInput[];
  successCriteria?: CriterionInput[];
  metrics?: MetricDefinitionInput[];
}
export interface CreateBody extends ContentBody {
  modelId: string;
}
interface AmendmentBody extends ContentBody {
  reason: string;
}

const BASE = '/commitments';
const MAX_SEED = 4294967295;
/** Enough for the 20th percentile to within about half a percentile point; a full library model simulates in ~1 s. */
const DEFAULT_TRIALS = 5000;

function notFound(id: string): VvError {
  return new VvError('VV_NOT_FOUND', { params: { reason: `Commitment ${id} not found` } });
}

/** Gives every item an id and reports duplicates at `/<list>/<i>/id`. */
function withIds<T extends { id?: string }>(items: readonly T[] | undefined, list: string, problems: FieldProblem[]): (T & { id: string })[] | undefined {
  if (items === undefined) return undefined;
  const seen = new Set<string>();
  return items.map((item, i) => {
    const id = item.id ?? randomUUID();
    if (seen.has(id)) problems.push({ pointer: `/${list}/${i}/id`, message: `duplicate id "${id}"` });
    seen.add(id);
    return { ...item, id };
  });
}

/**
 * The value-committer API under `/api/v1/commitments`: commitments made from a value model version with a
 * risk-adjusted committed value, milestones and success criteria, the lifecycle, and amendments of signed ones.
 */
/** The routes, and the creation they share with `CommitmentsService.create`. */
export interface CommitmentRoutes {
  readonly routes: RouteDefinition[];
  create(tenantId: string, userId: string, body: CreateBody, signal?: AbortSignal): Promise<CommitmentResource>;
}

export function createCommitmentRoutes(deps: CommitmentRouteDeps): CommitmentRoutes {
  const { store, models, calc, events, audit } = deps;

  const announce = async (tenantId: string, name: string, c: CommitmentResource, extra: Record<string, unknown> = {}) => {
    await events.publish(name, tenantId, { commitmentId: c.id, version: c.version, status: c.status, ...extra });
  };

  /** The model version's figures and the committed value at `confidence`; model problems point at the body field. */
  const riskAdjusted = async (
    request: { readonly tenant: { readonly id: string }; readonly signal?: AbortSignal },
    input: { modelId: string; modelVersion?: number; confidence: number; trials: number; seed: number; allowNonPositive?: boolean },
  ): Promise<Omit<CommitmentContent, 'title' | 'milestones' | 'successCriteria' | 'metrics'> & { modelName: string }> => {
    const tenantId = request.tenant.id;
    const version = await models.getVersion(tenantId, input.modelId, input.modelVersion);
    if (!version) {
      const modelExists = input.modelVersion !== undefined && (await models.getVersion(tenantId, input.modelId)) !== undefined;
      throw VvError.validation([
        modelExists
          ? { pointer: '/modelVersion', message: `value model ${input.modelId} has no version ${input.modelVersion}` }
          : { pointer: '/modelId', message: `no value model ${input.modelId}` },
      ]);
    }
    const value = await committedValueOf(
      calc,
      { model: version.model, confidence: input.confidence, trials: input.trials, seed: input.seed, allowNonPositive: input.allowNonPositive ?? false },
      request.signal,
    );
    return {
      modelId: version.id,
      modelVersion: version.version,
      modelName: version.name,
      industry: version.industry,
      currency: version.currency,
      confidence: input.confidence,
      drivers: version.model.drivers.map((d) => ({ key: d.name, label: d.description ?? d.name, unit: d.unit ?? '', value: d.value })),
      baseValue: value.baseValue,
      committedValue: value.committedValue,
      simulation: value.simulation,
    };
  };

  /** The changes a content body asks for on top of `current` (re-running the risk adjustment when it reads a new input). */
  const changesFrom = async (request: PluginRequest, body: ContentBody, current: CommitmentResource): Promise<Partial<CommitmentContent>> => {
    const problems: FieldProblem[] = [];
    const milestones = withIds(body.milestones, 'milestones', problems);
    const successCriteria = withIds(body.successCriteria, 'successCriteria', problems);
    const metrics = body.metrics === undefined ? undefined : checkMetricDefinitions(body.metrics, problems);
    if (problems.length > 0) throw VvError.validation(problems);
    const changes: Partial<CommitmentContent> = {
      ...(body.title === undefined ? {} : { title: body.title }),
      ...(milestones ? { milestones } : {}),
      ...(successCriteria ? { successCriteria } : {}),
      ...(metrics ? { metrics } : {}),
    };
    const rerun = [body.modelVersion, body.confidence, body.trials, body.seed, body.allowNonPositive].some((x) => x !== undefined);
    if (rerun) {
      const { modelName: _name, ...risk } = await riskAdjusted(request, {
        modelId: current.modelId,
        modelVersion: body.modelVersion ?? current.modelVersion,
        confidence: body.confidence ?? current.confidence,
        trials: body.trials ?? current.simulation.trials,
        seed: body.seed ?? current.simulation.seed,
        allowNonPositive: body.allowNonPositive ?? current.simulation.allowNonPositive ?? false,
      });
      Object.assign(changes, risk);
    }
    return changes;
  };

  const publishTransitions = async (tenantId: string, applied: readonly AppliedTransition[]) => {
    for (const t of applied) {
      const name = transitionEvent(t.to);
      if (name) await announce(tenantId, name, t.commitment, { from: t.from, ...(t.reason ? { reason: t.reason } : {}) });
    }
  };

  /** Creates a draft commitment: the route's work, and `CommitmentsService.create` for a plugin applying its user's accepted proposal. */
  const createCommitment = async (tenantId: string, userId: string, body: CreateBody, signal?: AbortSignal): Promise<CommitmentResource> => {
    const b = body;
    const problems: FieldProblem[] = [];
    const milestones = withIds(b.milestones, 'milestones', problems) ?? [];
    const successCriteria = withIds(b.successCriteria, 'successCriteria', problems) ?? [];
    const metrics = checkMetricDefinitions(b.metrics ?? [], problems);
    if (problems.length > 0) throw VvError.validation(problems);
    const { modelName, ...risk } = await riskAdjusted(
      { tenant: { id: tenantId }, ...(signal ? { signal } : {}) },
      {
        modelId: b.modelId,
        ...(b.modelVersion === undefined ? {} : { modelVersion: b.modelVersion }),
        confidence: b.confidence ?? 0.8,
        trials: b.trials ?? DEFAULT_TRIALS,
        seed: b.seed ?? randomInt(0, MAX_SEED + 1),
        allowNonPositive: b.allowNonPositive ?? false,
      },
    );
    const created = await store.create(tenantId, userId, { title: b.title ?? modelName, milestones, successCriteria, metrics, ...risk });
    await audit.record({
      action: 'commitment.created',
      tenantId,
      target: created.id,
      after: { committedValue: created.committedValue, confidence: created.confidence },
    });
    await announce(tenantId, 'commitment.created', created);
    return created;
  };

  const create: RouteDefinition<CreateBody> = {
    method: 'POST',
    path: BASE,
    summary: 'Create a commitment from a value model version; the committed value is the Monte Carlo percentile matching the confidence',
    schema: { body: commitmentSchemas.create, responses: { 201: commitmentResponses.commitment } },
    async handler(request) {
      const created = await createCommitment(request.tenant.id, request.user.id, request.body, request.signal);
      return respond(201, created, { Location: `/api/v1${BASE}/${created.id}` });
    },
  };

  const list: RouteDefinition = {
    method: 'GET',
    path: BASE,
    summary: 'List commitments, newest first (filters: status, modelId, industry, q; cursor pagination)',
    schema: { query: commitmentSchemas.listQuery, responses: { 200: commitmentResponses.page } },
    handler(request) {
      const q = request.query;
      return store.list(
        request.tenant.id,
        {
          ...(q['status'] === undefined ? {} : { status: q['status'] as CommitmentStatus[] }),
          ...(q['modelId'] === undefined ? {} : { modelId: q['modelId'] as string }),
          ...(q['industry'] === undefined ? {} : { industry: q['industry'] as string }),
          ...(q['q'] === undefined ? {} : { q: q['q'] as string }),
        },
        { limit: q['limit'] as number, ...(q['cursor'] === undefined ? {} : { cursor: q['cursor'] as string }) },
      );
    },
  };

  const get: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/:id`,
    summary: 'A commitment with its status history',
    schema: { params: idParams, responses: { 200: commitmentResponses.commitment } },
    async handler(request) {
      const id = request.params['id']!;
      const found = await store.get(request.tenant.id, id);
      if (!found) throw notFound(id);
      return { ...found, transitions: await store.transitions(request.tenant.id, id) };
    },
  };

  const update: RouteDefinition<ContentBody> = {
    method: 'PUT',
    path: `${BASE}/:id`,
    summary: 'Change a draft commitment (409 once proposed or signed: signed commitments are amended)',
    schema: { params: idParams, body: commitmentSchemas.update, responses: { 200: commitmentResponses.commitment } },
    async handler(request) {
      const id = request.params['id']!;
      const current = await store.get(request.tenant.id, id);
      if (!current) throw notFound(id);
      // Refused before any simulation runs; the store checks again on the locked row.
      if (current.status !== 'draft') {
        const hint = current.status === 'proposed' ? 'withdraw it to draft first' : `amend it (POST /api/v1${BASE}/${id}/amendments)`;
        throw new VvError('VV_CONFLICT', { params: { reason: `Commitment ${id} is ${current.status} and cannot change: ${hint}` } });
      }
      const updated = await store.update(request.tenant.id, id, request.user.id, await changesFrom(request, request.body, current), current.updatedAt);
      await audit.record({ action: 'commitment.updated', tenantId: request.tenant.id, target: id, after: { committedValue: updated.committedValue } });
      return updated;
    },
  };

  const remove: RouteDefinition = {
    method: 'DELETE',
    path: `${BASE}/:id`,
    summary: 'Delete a draft commitment (an abandoned amendment, say); anything else is 409',
    schema: { params: idParams },
    async handler(request) {
      const id = request.params['id']!;
      if (!(await store.get(request.tenant.id, id))) throw notFound(id);
      await store.deleteDraft(request.tenant.id, id);
      await audit.record({ action: 'commitment.deleted', tenantId: request.tenant.id, target: id });
      return respond(204);
    },
  };

  const transition: RouteDefinition<{ to: CommitmentStatus; reason?: string }> = {
    method: 'POST',
    path: `${BASE}/:id/transitions`,
    summary: 'Move a commitment through draft → proposed → signed → active → closed (proposed → draft withdraws); 409 otherwise',
    schema: { params: idParams, body: commitmentSchemas.transition, responses: { 200: commitmentResponses.commitment } },
    async handler(request) {
      const id = request.params['id']!;
      if (!(await store.get(request.tenant.id, id))) throw notFound(id);
      const applied = await store.transition(request.tenant.id, id, request.user.id, request.body.to, request.body.reason ?? null);
      for (const t of applied) {
        await audit.record({ action: `commitment.${t.to}`, tenantId: request.tenant.id, target: t.commitment.id, before: { status: t.from }, after: { status: t.to } });
      }
      await publishTransitions(request.tenant.id, applied);
      return applied[0]!.commitment;
    },
  };

  const amend: RouteDefinition<AmendmentBody> = {
    method: 'POST',
    path: `${BASE}/:id/amendments`,
    summary: 'Amend a signed or active commitment: a new draft version linked to it (signing it closes the old one)',
    schema: { params: idParams, body: commitmentSchemas.amendment, responses: { 201: commitmentResponses.commitment } },
    async handler(request) {
      const id = request.params['id']!;
      const current = await store.get(request.tenant.id, id);
      if (!current) throw notFound(id);
      const { reason, ...body } = request.body;
      const amendment = await store.amend(request.tenant.id, id, request.user.id, await changesFrom(request, body, current), reason, current.updatedAt);
      await audit.record({
        action: 'commitment.amended',
        tenantId: request.tenant.id,
        target: amendment.id,
        before: { id, version: current.version },
        after: { version: amendment.version },
      });
      await announce(request.tenant.id, 'commitment.amended', amendment, { previousVersionId: id, reason });
      return respond(201, amendment, { Location: `/api/v1${BASE}/${amendment.id}` });
    },
  };

  const versions: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/:id/versions`,
    summary: 'The amendment chain a commitment belongs to, oldest first',
    schema: { params: idParams },
    async handler(request) {
      const id = request.params['id']!;
      const chain = await store.versions(request.tenant.id, id);
      if (!chain) throw notFound(id);
      return { items: chain };
    },
  };

  return { create: createCommitment, routes: [create, list, get, update, remove, transition, amend, versions] as RouteDefinition[] };
}
