import { VvError, respond, type PluginRequest, type RouteDefinition } from '@valueverse/plugin-sdk';
import type { Commitment, CommitmentsService } from '@valueverse/plugin-value-committer/api';
import { importCsv } from '../measurements/csv-import';
import { measurableStatuses, type MeasurementChecker, type MeasurementInput, type MeasurementProblem, type RawMeasurement } from '../measurements/measurement-checker';
import type { MeasurementRecorder } from '../measurements/measurement-recorder';
import type { MeasurementStore } from '../measurements/measurement-store';
import { parseTimestamp } from '../realization/iso-day';
import { evaluateTenant } from '../realization/evaluate-tenant';
import type { RealizationEngine } from '../realization/realization-engine';
import { realizationSchemas as s } from './realization-schemas';

export interface RealizationRouteDeps {
  readonly store: MeasurementStore;
  readonly recorder: MeasurementRecorder;
  readonly engine: RealizationEngine;
  readonly commitments: CommitmentsService;
}

/**
 * Turns the problems of one or more measurements into the error a client should act on first: a field problem
 * (400 with pointers), then an unknown commitment (404: another tenant's ids are unknown here), then a commitment
 * not in force (409).
 */
function measurementError(problems: readonly (MeasurementProblem & { readonly at: string })[]): VvError {
  const invalid = problems.filter((p) => p.kind === 'invalid');
  if (invalid.length > 0) return VvError.validation(invalid.map((p) => ({ pointer: `${p.at}/${p.field}`, message: p.message })));
  const [first] = problems.filter((p) => p.kind === 'not-found');
  if (first) return new VvError('VV_NOT_FOUND', { detail: `${first.at ? `${first.at}: ` : ''}${first.message}` });
  return new VvError('VV_CONFLICT', { detail: problems.map((p) => `${p.at ? `${p.at}: ` : ''}${p.message}`).join('; ') });
}

/** Checks every measurement; throws for the first kind of problem found, else returns the inputs. */
async function checkAll(checker: MeasurementChecker, raws: readonly RawMeasurement[], at: (index: number) => string): Promise<MeasurementInput[]> {
  const inputs: MeasurementInput[] = [];
  const problems: (MeasurementProblem & { at: string })[] = [];
  for (const [index, raw] of raws.entries()) {
    const result = await checker.check(raw, 'api');
    if (result.ok) inputs.push(result.input);
    else problems.push(...result.problems.map((p) => ({ ...p, at: at(index) })));
  }
  if (problems.length > 0) throw measurementError(problems);
  return inputs;
}

function asOfOf(text: unknown, pointer: string, part: 'query' | 'body'): Date {
  if (text === undefined) return new Date();
  const date = typeof text === 'string' ? parseTimestamp(text) : undefined;
  if (!date) throw VvError.validation([{ pointer, message: 'is not a real calendar date', in: part }]);
  return date;
}

/** The commitment of this tenant, or 404 (unknown and other tenants' ids alike). */
async function commitmentOf(commitments: CommitmentsService, tenantId: string, id: string): Promise<Commitment> {
  const commitment = await commitments.get(tenantId, id);
  if (!commitment || commitment.tenantId !== tenantId) throw new VvError('VV_NOT_FOUND', { detail: `Commitment ${id} not found` });
  return commitment;
}

function inForce(commitment: Commitment): Commitment {
  if (!measurableStatuses.includes(commitment.status)) {
    throw new VvError('VV_CONFLICT', { detail: `Commitment ${commitment.id} is ${commitment.status}; only signed or active commitments are evaluated` });
  }
  return commitment;
}

/** The routes under `/api/v1/realization`. */
export function createRealizationRoutes(deps: RealizationRouteDeps): RouteDefinition[] {
  const { store, recorder, engine, commitments } = deps;
  const by = (request: PluginRequest) => request.user.id;

  const single: RouteDefinition<RawMeasurement> = {
    method: 'POST',
    path: '/realization/measurements',
    idempotency: 'optional',
    summary: 'Record one actual measurement of a signed or active commitment',
    schema: { body: s.measurement },
    handler: async (request) => {
      const checker = recorder.checker(request.tenant.id);
      const inputs = await checkAll(checker, [request.body], () => '');
      const [stored] = await recorder.record(request.tenant.id, checker, inputs, { recordedBy: by(request) });
      return respond(201, stored, { Location: `/api/v1/realization/measurements/${stored!.id}` });
    },
  };

  const batch: RouteDefinition<{ measurements: RawMeasurement[] }> = {
    method: 'POST',
    path: '/realization/measurements/batch',
    idempotency: 'optional',
    summary: 'Record up to 1000 measurements at once: all are stored or none',
    schema: { body: s.batch },
    handler: async (request) => {
      const checker = recorder.checker(request.tenant.id);
      const inputs = await checkAll(checker, request.body.measurements, (i) => `/measurements/${i}`);
      const items = await recorder.record(request.tenant.id, checker, inputs, { recordedBy: by(request), pointerOf: (i) => `/measurements/${i}` });
      return respond(201, { count: items.length, items });
    },
  };

  const list: RouteDefinition<unknown, { commitmentId?: string; metric?: string; limit: number; cursor?: string }> = {
    method: 'GET',
    path: '/realization/measurements',
    summary: 'Measurements of the tenant, newest first, with cursor pagination',
    schema: { query: s.listQuery },
    handler: (request) => store.list(request.tenant.id, request.query),
  };

  const one: RouteDefinition = {
    method: 'GET',
    path: '/realization/measurements/:id',
    summary: 'One measurement',
    schema: { params: s.measurementParams },
    handler: async (request) => {
      const found = await store.get(request.tenant.id, request.params.id!);
      if (!found) throw new VvError('VV_NOT_FOUND', { detail: `Measurement ${request.params.id} not found` });
      return found;
    },
  };

  const imports: RouteDefinition<string | { csv?: string; commitmentId?: string; atomic?: boolean }, { atomic?: boolean; commitmentId?: string }> = {
    method: 'POST',
    path: '/realization/imports',
    idempotency: 'optional',
    summary: 'Import measurements from CSV (text/csv body or JSON {csv}); row errors are reported by row number',
    schema: { body: s.importBody, query: s.importQuery },
    handler: async (request) => {
      const body = request.body;
      const json = typeof body === 'object' && body !== null ? body : {};
      const text = typeof body === 'string' ? body : json.csv;
      if (text === undefined) {
        const csvSent = /^text\/csv\b/i.test(request.headers['content-type'] ?? '');
        throw VvError.validation([{ pointer: '/csv', message: csvSent ? 'this host does not parse text/csv bodies; send JSON {"csv": "..."}' : 'is required' }]);
      }
      const report = await importCsv(
        text,
        {
          tenantId: request.tenant.id,
          recordedBy: by(request),
          atomic: request.query.atomic ?? json.atomic ?? false,
          commitmentId: request.query.commitmentId ?? json.commitmentId,
          pointer: typeof body === 'string' ? '' : '/csv',
        },
        recorder,
      );
      return respond(report.accepted > 0 ? 201 : 200, report);
    },
  };

  const realization: RouteDefinition<unknown, { asOf?: string }> = {
    method: 'GET',
    path: '/realization/commitments/:commitmentId',
    summary: 'Realization of a commitment per milestone and overall, with variance and at-risk status (as of now or asOf)',
    schema: { params: s.commitmentParams, query: s.asOfQuery },
    handler: async (request) => {
      const commitment = await commitmentOf(commitments, request.tenant.id, request.params.commitmentId!);
      return engine.report(request.tenant.id, commitment, asOfOf(request.query.asOf, '/asOf', 'query'));
    },
  };

  const evaluate: RouteDefinition<{ asOf?: string } | undefined> = {
    method: 'POST',
    path: '/realization/commitments/:commitmentId/evaluate',
    summary: 'Evaluate milestones as of now or asOf, publishing milestone.achieved / milestone.missed / realization.at-risk on transitions',
    schema: { params: s.commitmentParams, body: s.evaluateBody },
    handler: async (request) => {
      const commitment = inForce(await commitmentOf(commitments, request.tenant.id, request.params.commitmentId!));
      return engine.evaluate(request.tenant.id, commitment, asOfOf(request.body?.asOf, '/asOf', 'body'));
    },
  };

  const evaluateAll: RouteDefinition<{ asOf?: string } | undefined> = {
    method: 'POST',
    path: '/realization/evaluate',
    summary: 'Evaluate every signed or active commitment of the tenant now or as of asOf (what the daily evaluation job does for every tenant)',
    schema: { body: s.evaluateBody },
    handler: (request) => evaluateTenant({ engine, commitments }, request.tenant.id, asOfOf(request.body?.asOf, '/asOf', 'body')),
  };

  return [single, batch, list, one, imports, realization, evaluate, evaluateAll] as RouteDefinition[];
}
