import { VvError, respond, type AuditLog, type EventBus, type PluginRequest, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { CalculationService, ValueModel } from '@valueverse/plugin-calculation/api';
import type { HypothesisGenerator } from '../hypotheses/hypothesis-generator';
import { driverLibrary, findIndustry } from '../library/driver-library';
import { modelFromLibrary } from '../library/model-from-library';
import { StaleVersionError, type PageRequest, type ValueModelContent, type ValueModelResource, type ValueModelStore } from '../models/value-model-store';
import type { ValueModelEventName, ValueModelStatus } from '../value-models-api';
import { idParams, valueModelResponses, valueModelSchemas } from './value-model-schemas';

export interface ValueModelRouteDeps {
  readonly store: ValueModelStore;
  readonly calc: CalculationService;
  readonly hypotheses: HypothesisGenerator;
  readonly events: EventBus;
  readonly audit: AuditLog;
}

export interface ModelFields {
  name?: string;
  description?: string | null;
  industry?: string | null;
  status?: ValueModelStatus;
  currency?: string;
  model?: ValueModel;
}
export interface CreateBody extends ModelFields {
  fromLibrary?: { industry: string; drivers?: string[] };
}
export interface UpdateBody extends ModelFields {
  version?: number;
}

const BASE = '/value-models';

function notFound(id: string, version?: number): VvError {
  return new VvError('VV_NOT_FOUND', { params: { reason: version === undefined ? `Value model ${id} not found` : `Value model ${id} has no version ${version}` } });
}

function pageOf(query: Record<string, unknown>): PageRequest {
  return { limit: query['limit'] as number, ...(query['cursor'] === undefined ? {} : { cursor: query['cursor'] as string }) };
}

/** The stored model carries the resource's name, so evaluations and exports are labelled. */
function named(model: ValueModel, name: string): ValueModel {
  return { ...model, name };
}

/** A model's creation and change, for the routes and for other plugins (`ValueModelsService.create`/`update`). */
export interface ValueModelWrites {
  create(tenantId: string, userId: string, body: CreateBody, signal?: AbortSignal): Promise<ValueModelResource>;
  update(tenantId: string, userId: string, id: string, body: UpdateBody, signal?: AbortSignal): Promise<ValueModelResource>;
}

/**
 * Creating and changing a model, checked, stored, audited and announced the same way whoever asks: the routes, or
 * another plugin applying a change its user accepted (the value agent's artifacts).
 */
export function valueModelWrites(deps: Pick<ValueModelRouteDeps, 'store' | 'calc' | 'events' | 'audit'>): ValueModelWrites {
  const { store, calc, events, audit } = deps;
  // The calculation engine is the authority on what a valid model is; its pointers already start at /model. The
  // check is an evaluation, under the tenant's compute budget like any other.
  const checkModel = async (model: ValueModel, tenantId: string, signal?: AbortSignal) => void (await calc.evaluateModel({ model }, { ...(signal ? { signal } : {}), tenantId }));
  const changed = async (tenantId: string, event: ValueModelEventName, modelId: string, version: number) => {
    await events.publish(event, tenantId, { modelId, version });
  };
  return {
    async create(tenantId, userId, body, signal) {
      const b = body;
      if ((b.model === undefined) === (b.fromLibrary === undefined)) {
        throw VvError.validation([{ pointer: b.model === undefined ? '/model' : '/fromLibrary', message: 'give either model or fromLibrary (exactly one)' }]);
      }
      let content: ValueModelContent;
      if (b.fromLibrary) {
        // The route's schema already limits the industry; other plugins' calls are checked here.
        const industry = findIndustry(b.fromLibrary.industry);
        if (!industry) throw VvError.validation([{ pointer: '/fromLibrary/industry', message: `no industry "${b.fromLibrary.industry}" in the driver library` }]);
        const unknown = (b.fromLibrary.drivers ?? []).flatMap((key, i) =>
          industry.drivers.some((d) => d.key === key)
            ? []
            : [{ pointer: `/fromLibrary/drivers/${i}`, message: `"${key}" is not a ${industry.key} driver (drivers: ${industry.drivers.map((d) => d.key).join(', ')})` }],
        );
        if (unknown.length > 0) throw VvError.validation(unknown);
        const name = b.name ?? `${industry.label} value model`;
        const model = modelFromLibrary(industry, b.fromLibrary.drivers, name);
        content = {
          name,
          description: b.description ?? null,
          industry: b.industry ?? industry.key,
          status: b.status ?? 'draft',
          currency: b.currency ?? driverLibrary.currency,
          model,
          origin: { library: { industry: industry.key, drivers: model.drivers.filter((d) => industry.drivers.some((x) => x.key === d.name)).map((d) => d.name) } },
        };
      } else {
        const name = b.name ?? b.model!.name;
        if (name === undefined || name === '') throw VvError.validation([{ pointer: '/name', message: 'is required (or give model.name)' }]);
        content = {
          name,
          description: b.description ?? null,
          industry: b.industry ?? null,
          status: b.status ?? 'draft',
          currency: b.currency ?? 'USD',
          model: named(b.model!, name),
          origin: null,
        };
      }
      await checkModel(content.model, tenantId, signal);
      const created = await store.create(tenantId, userId, content);
      await audit.record({ action: 'value-model.created', tenantId, target: created.id, after: { version: 1, name: created.name } });
      await changed(tenantId, 'value-model.created', created.id, created.version);
      return created;
    },
    async update(tenantId, userId, id, body, signal) {
      const { version, ...fields } = body;
      const current = await store.get(tenantId, id);
      if (!current) throw notFound(id);
      const name = fields.name ?? current.name;
      const changes: Partial<ValueModelContent> = { ...fields };
      if (fields.model !== undefined || fields.name !== undefined) {
        const model = named(fields.model ?? current.model, name);
        await checkModel(model, tenantId, signal);
        Object.assign(changes, { model });
      }
      let result;
      try {
        result = await store.update(tenantId, id, userId, changes, version);
      } catch (error) {
        if (error instanceof StaleVersionError) {
          throw new VvError('VV_CONFLICT', { params: { reason: `Value model ${id} is at version ${error.current}, not ${version}: reload and apply your change again` } });
        }
        throw error;
      }
      if (!result) throw notFound(id);
      if (result.changed) {
        await audit.record({
          action: 'value-model.updated',
          tenantId,
          target: id,
          before: { version: current.version },
          after: { version: result.resource.version },
        });
        await changed(tenantId, 'value-model.updated', id, result.resource.version);
      }
      return result.resource;
    },
  };
}

/**
 * The value-architect API under `/api/v1/value-models`: CRUD with a version per change, the driver library,
 * evaluation through the calculation plugin, and hypothesis generation.
 */
export function createValueModelRoutes(deps: ValueModelRouteDeps): RouteDefinition[] {
  const { store, calc, events, audit } = deps;
  const writes = valueModelWrites(deps);

  const changed = async (request: PluginRequest, event: ValueModelEventName, modelId: string, version: number, extra: Record<string, unknown> = {}) => {
    await events.publish(event, request.tenant.id, { modelId, version, ...extra });
  };

  const create: RouteDefinition<CreateBody> = {
    method: 'POST',
    path: BASE,
    summary: 'Create a value model from a model body or from the driver library',
    schema: { body: valueModelSchemas.create, responses: { 201: valueModelResponses.resource } },
    async handler(request) {
      const created = await writes.create(request.tenant.id, request.user.id, request.body ?? {}, request.signal);
      return respond(201, created, { Location: `/api/v1${BASE}/${created.id}` });
    },
  };

  const list: RouteDefinition<unknown, Record<string, unknown>> = {
    method: 'GET',
    path: BASE,
    summary: 'List value models, newest first (filters: industry, status, q; cursor pagination)',
    schema: { query: valueModelSchemas.listQuery, responses: { 200: valueModelResponses.page } },
    handler: (request) => {
      const q = request.query;
      return store.list(
        request.tenant.id,
        {
          ...(q['industry'] === undefined ? {} : { industry: q['industry'] as string }),
          ...(q['status'] === undefined ? {} : { status: q['status'] as ValueModelStatus }),
          ...(q['q'] === undefined ? {} : { q: q['q'] as string }),
        },
        pageOf(q),
      );
    },
  };

  const library: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/library`,
    summary: 'The value driver library by industry (?industry= for one)',
    schema: { query: valueModelSchemas.libraryQuery },
    handler: (request) => {
      const industry = request.query['industry'] as string | undefined;
      return { ...driverLibrary, industries: driverLibrary.industries.filter((i) => industry === undefined || i.key === industry) };
    },
  };

  const get: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/:id`,
    summary: 'A value model (its latest version)',
    schema: { params: idParams, responses: { 200: valueModelResponses.resource } },
    async handler(request) {
      const found = await store.get(request.tenant.id, request.params['id']!);
      if (!found) throw notFound(request.params['id']!);
      return found;
    },
  };

  const update: RouteDefinition<UpdateBody> = {
    method: 'PUT',
    path: `${BASE}/:id`,
    summary: 'Change a value model; every change is kept as a new version',
    schema: { params: idParams, body: valueModelSchemas.update, responses: { 200: valueModelResponses.resource } },
    async handler(request) {
      return writes.update(request.tenant.id, request.user.id, request.params['id']!, request.body, request.signal);
    },
  };

  const remove: RouteDefinition = {
    method: 'DELETE',
    path: `${BASE}/:id`,
    summary: 'Delete a value model (its commitments keep their own copy)',
    schema: { params: idParams },
    async handler(request) {
      const id = request.params['id']!;
      const deleted = await store.delete(request.tenant.id, id, request.user.id);
      if (!deleted) throw notFound(id);
      await audit.record({ action: 'value-model.deleted', tenantId: request.tenant.id, target: id, before: { version: deleted.version } });
      await changed(request, 'value-model.deleted', id, deleted.version);
      return respond(204);
    },
  };

  const versions: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/:id/versions`,
    summary: "A value model's versions, newest first (who and when)",
    schema: { params: idParams, query: valueModelSchemas.pageQuery, responses: { 200: valueModelResponses.page } },
    async handler(request) {
      const page = await store.versions(request.tenant.id, request.params['id']!, pageOf(request.query));
      if (!page) throw notFound(request.params['id']!);
      return page;
    },
  };

  const version: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/:id/versions/:version`,
    summary: 'One version of a value model, as saved',
    schema: { params: valueModelSchemas.versionParams, responses: { 200: valueModelResponses.version } },
    async handler(request) {
      const id = request.params['id']!;
      const n = Number(request.params['version']);
      const found = await store.getVersion(request.tenant.id, id, n);
      if (!found) throw (await store.get(request.tenant.id, id)) ? notFound(id, n) : notFound(id);
      return found;
    },
  };

  const evaluation: RouteDefinition = {
    method: 'GET',
    path: `${BASE}/:id/evaluation`,
    summary: 'Evaluate a value model through the calculation plugin: cash flows, NPV, IRR, ROI, payback (and a simulation with ?trials=)',
    schema: { params: idParams, query: valueModelSchemas.evaluationQuery },
    async handler(request) {
      const id = request.params['id']!;
      const wanted = request.query['version'] as number | undefined;
      const found = await store.getVersion(request.tenant.id, id, wanted);
      if (!found) throw wanted !== undefined && (await store.get(request.tenant.id, id)) ? notFound(id, wanted) : notFound(id);
      const trials = request.query['trials'] as number | undefined;
      const seed = request.query['seed'] as number | undefined;
      const budget = { signal: request.signal, tenantId: request.tenant.id };
      const evaluation = await calc.evaluateModel({ model: found.model }, budget);
      const simulation = trials === undefined ? undefined : await calc.simulate({ model: found.model, trials, ...(seed === undefined ? {} : { seed }) }, budget);
      // Expected NPV and P(NPV > 0) beside the point NPV whenever a driver is uncertain (issue #11 item 8).
      const headline = await calc.headline({ model: found.model }, budget);
      return { modelId: id, version: found.version, currency: found.currency, ...evaluation, ...(headline ? { headline } : {}), ...(simulation ? { simulation } : {}) };
    },
  };

  const hypotheses: RouteDefinition<{ count: number; industry?: string; focus?: string; version?: number }> = {
    method: 'POST',
    path: `${BASE}/:id/hypotheses`,
    summary: "Value hypotheses for a model from the tenant's AI provider, or from the driver library when none is enabled",
    schema: { params: idParams, body: valueModelSchemas.hypotheses },
    async handler(request) {
      const id = request.params['id']!;
      const b = request.body ?? { count: 5 };
      const found = await store.getVersion(request.tenant.id, id, b.version);
      if (!found) throw b.version !== undefined && (await store.get(request.tenant.id, id)) ? notFound(id, b.version) : notFound(id);
      const result = await deps.hypotheses.generate(request.tenant.id, found, {
        count: b.count ?? 5,
        ...(b.industry === undefined ? {} : { industry: b.industry }),
        ...(b.focus === undefined ? {} : { focus: b.focus }),
      });
      await changed(request, 'value-model.hypotheses-generated', id, found.version, { source: result.source, provider: result.provider, count: result.hypotheses.length });
      return result;
    },
  };

  // `library` before `/:id`: the router tries routes in registration order.
  return [create, list, library, get, update, remove, versions, version, evaluation, hypotheses] as RouteDefinition[];
}
