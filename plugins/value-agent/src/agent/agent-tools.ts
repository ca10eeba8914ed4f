import { VvError, type Role } from '@valueverse/plugin-sdk';
import { valueModelSchema, type CalculationService, type ModelEvaluation, type ValueModel } from '@valueverse/plugin-calculation/api';
import type { ValueModelsService } from '@valueverse/plugin-value-architect/api';
import type { CommitmentsService } from '@valueverse/plugin-value-committer/api';
import type { RealizationService } from '@valueverse/plugin-value-executor/api';
import type { AgentTool, ToolContext } from './agent-tool';

/** The services the tools wrap; absent when the providing plugin is not installed. */
export interface ToolServices {
  readonly calc: CalculationService;
  readonly models?: ValueModelsService;
  readonly commitments?: CommitmentsService;
  readonly realization?: RealizationService;
}

/** Roles that may write, and so may be offered tools that propose writes. */
export const WRITE_ROLES: readonly Role[] = ['member', 'tenant-admin', 'platform-admin'];

const id = { type: 'string', minLength: 1, maxLength: 200 };
const modelRef = {
  modelId: { ...id, description: 'Id of a saved value model (from find_models)' },
  model: { ...valueModelSchema, description: 'A value model body, for a model not saved yet' },
};
const round = (x: number | null | undefined, digits = 2): number | null => (x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits)));

function headline(evaluation: ModelEvaluation) {
  const m = evaluation.metrics;
  return { npv: round(m.npv.value), irr: round(m.irr.value, 4), roi: round(m.roi.value, 4), cashFlows: evaluation.cashFlows.map((x) => round(x)) };
}

function notFound(what: string): VvError {
  return new VvError('VV_NOT_FOUND', { params: { reason: `${what} not found` } });
}

/** A driver's value replaced, or a model's scalar settings, as the change a user reviews. */
interface DiffLine {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/**
 * The agent's tools over the platform's services. Reads answer at once; writes become artifacts (a model draft, a
 * model change, a commitment proposal), checked now (the calculation engine evaluates every model the agent
 * proposes) and applied only when the user says so.
 */
export function agentTools(services: ToolServices): AgentTool[] {
  const { calc, models, commitments, realization } = services;

  const modelOf = async (args: { modelId?: string; model?: ValueModel }, context: ToolContext): Promise<{ model: ValueModel; name: string; currency: string }> => {
    if (args.model) return { model: args.model, name: args.model.name ?? 'Unsaved model', currency: 'USD' };
    if (!args.modelId) throw VvError.validation([{ pointer: '/modelId', message: 'give modelId or model' }]);
    const version = await models?.getVersion(context.tenantId, args.modelId);
    if (!version) throw notFound(`Value model ${args.modelId}`);
    return { model: version.model, name: version.name, currency: version.currency };
  };
  const compute = (context: ToolContext) => ({ tenantId: context.tenantId, signal: context.signal });

  const tools: AgentTool[] = [
    {
      name: 'find_models',
      description: "Find the tenant's value models by words in their name or description (all when q is empty), newest first.",
      parameters: { type: 'object', additionalProperties: false, properties: { q: { type: 'string', maxLength: 200 } } },
      plugin: 'value-architect',
      proposes: false,
      async run(args: { q?: string }, context) {
        const found = (await models?.find(context.tenantId, { ...(args.q ? { q: args.q } : {}), limit: 20 })) ?? [];
        return {
          result: found.map((m) => ({ id: m.id, name: m.name, version: m.version, industry: m.industry, status: m.status, currency: m.currency })),
          summary: `${found.length} model(s) found`,
        };
      },
    },
    {
      name: 'read_model',
      description: 'Read a value model: its drivers, formulas, benefit, costs and settings.',
      parameters: { type: 'object', additionalProperties: false, required: ['modelId'], properties: { modelId: id } },
      plugin: 'value-architect',
      proposes: false,
      async run(args: { modelId: string }, context) {
        const version = await models?.getVersion(context.tenantId, args.modelId);
        if (!version) throw notFound(`Value model ${args.modelId}`);
        return {
          result: { id: version.id, version: version.version, name: version.name, currency: version.currency, model: version.model },
          summary: `read ${version.name} v${version.version}`,
        };
      },
    },
    {
      name: 'evaluate_model',
      description: 'Evaluate a value model (NPV, IRR, ROI, cash flows); with overrides, a what-if scenario replacing driver values.',
      parameters: {
        type: 'object',
        additionalProperties: false,
        properties: { ...modelRef, overrides: { type: 'object', additionalProperties: { type: 'number' }, description: 'Driver name → value for a scenario' } },
      },
      plugin: 'calculation',
      proposes: false,
      async run(args: { modelId?: string; model?: ValueModel; overrides?: Record<string, number> }, context) {
        const { model, name } = await modelOf(args, context);
        const base = await calc.evaluateModel({ model }, compute(context));
        if (!args.overrides || Object.keys(args.overrides).length === 0) return { result: { name, ...headline(base) }, summary: `NPV ${round(base.metrics.npv.value)}` };
        const what = await calc.scenario({ model, scenarios: [{ name: 'scenario', overrides: args.overrides }] }, compute(context));
        return { result: { name, base: headline(base), scenario: what.scenarios[0] }, summary: `scenario evaluated against NPV ${round(base.metrics.npv.value)}` };
      },
    },
    {
      name: 'run_sensitivity',
      description: 'Which drivers move NPV most (a tornado: each driver from its low to its high value); also shows the tornado as a chart.',
      parameters: { type: 'object', additionalProperties: false, properties: modelRef },
      plugin: 'calculation',
      proposes: false,
      async run(args: { modelId?: string; model?: ValueModel }, context) {
        const { model, name } = await modelOf(args, context);
        const result = await calc.sensitivity({ model }, compute(context));
        const bars = result.bars.slice(0, 10).map((b) => ({ driver: b.driver, low: round(b.low.value), high: round(b.high.value), swing: round(b.swing) }));
        return {
          result: { metric: result.metric, base: round(result.base), bars },
          summary: `${bars.length} drivers ranked`,
          artifact: { kind: 'chart', title: `Sensitivity of ${name}`, payload: { chart: 'tornado', metric: result.metric, base: round(result.base), bars } },
        };
      },
    },
    {
      name: 'run_monte_carlo',
      description: "Simulate NPV under the drivers' uncertainty (seeded Monte Carlo): mean, P10/P50/P90 and the chance NPV is positive.",
      parameters: { type: 'object', additionalProperties: false, properties: { ...modelRef, trials: { type: 'integer', minimum: 100, maximum: 20000 } } },
      plugin: 'calculation',
      proposes: false,
      async run(args: { modelId?: string; model?: ValueModel; trials?: number }, context) {
        const { model } = await modelOf(args, context);
        const sim = await calc.simulate({ model, trials: args.trials ?? 5000, seed: 1, bins: 10 }, compute(context));
        const p = sim.percentiles;
        return {
          result: {
            trials: sim.trials,
            mean: round(sim.mean),
            p10: round(p.p10),
            p50: round(p.p50),
            p90: round(p.p90),
            probabilityPositive: round(sim.probabilityAboveTarget, 4),
            dependence: sim.dependence,
          },
          summary: `${sim.trials} trials, P50 ${round(p.p50)}`,
        };
      },
    },
    {
      name: 'draft_model',
      description:
        'Propose a new value model. It is checked and shown to the user as a draft to apply; nothing is saved until they apply it. Drivers are the inputs (with distributions for uncertainty), formulas combine them, benefit names the yearly benefit, costs are upfront and recurring.',
      parameters: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'model'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 200 },
          description: { type: 'string', maxLength: 2000 },
          industry: { type: 'string', maxLength: 64 },
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
          model: valueModelSchema,
        },
      },
      plugin: 'value-architect',
      proposes: true,
      async run(args: { name: string; description?: string; industry?: string; currency?: string; model: ValueModel }, context) {
        const model = { ...args.model, name: args.name };
        const evaluation = await calc.evaluateModel({ model }, compute(context));
        const input = { name: args.name, description: args.description ?? null, industry: args.industry ?? null, currency: args.currency ?? 'USD', status: 'draft', model };
        const figures = headline(evaluation);
        return {
          result: { proposed: 'model-draft', ...figures, note: 'Shown to the user as a draft; it is saved only when they apply it.' },
          summary: `drafted ${args.name} (NPV ${figures.npv})`,
          artifact: { kind: 'model-draft', title: args.name, payload: { input, figures } },
        };
      },
    },
    {
      name: 'draft_model_change',
      description:
        'Propose a change to a saved value model (driver values, discount rate, horizon, name), shown to the user as a diff with the NPV before and after; saved only when they apply it.',
      parameters: {
        type: 'object',
        additionalProperties: false,
        required: ['modelId'],
        properties: {
          modelId: id,
          name: { type: 'string', minLength: 1, maxLength: 200 },
          driverValues: { type: 'object', additionalProperties: { type: 'number' }, description: 'Driver name → new point value' },
          discountRate: { type: 'number', minimum: 0, maximum: 1 },
          horizon: { type: 'integer', minimum: 1, maximum: 50 },
        },
      },
      plugin: 'value-architect',
      proposes: true,
      async run(args: { modelId: string; name?: string; driverValues?: Record<string, number>; discountRate?: number; horizon?: number }, context) {
        const current = await models?.getVersion(context.tenantId, args.modelId);
        if (!current) throw notFound(`Value model ${args.modelId}`);
        const diff: DiffLine[] = [];
        const unknown = Object.keys(args.driverValues ?? {}).filter((name) => !current.model.drivers.some((d) => d.name === name));
        if (unknown.length > 0) throw VvError.validation(unknown.map((name) => ({ pointer: `/driverValues/${name}`, message: `the model has no driver "${name}"` })));
        const drivers = current.model.drivers.map((d) => {
          const value = args.driverValues?.[d.name];
          if (value === undefined || value === d.value) return d;
          diff.push({ path: `drivers/${d.name}`, before: d.value, after: value });
          return { ...d, value };
        });
        const model: ValueModel = { ...current.model, drivers };
        const scalars = { discountRate: args.discountRate, horizon: args.horizon } as const;
        for (const [key, value] of Object.entries(scalars)) {
          if (value !== undefined && value !== current.model[key as keyof typeof scalars]) {
            diff.push({ path: key, before: current.model[key as keyof typeof scalars], after: value });
            Object.assign(model, { [key]: value });
          }
        }
        if (args.name !== undefined && args.name !== current.name) diff.push({ path: 'name', before: current.name, after: args.name });
        if (diff.length === 0) return { result: { proposed: null, note: 'The change leaves the model as it is.' }, summary: 'no change' };
        const [before, after] = await Promise.all([calc.evaluateModel({ model: current.model }, compute(context)), calc.evaluateModel({ model }, compute(context))]);
        const npvBefore = round(before.metrics.npv.value);
        const npvAfter = round(after.metrics.npv.value);
        return {
          result: { proposed: 'model-change', diff, npvBefore, npvAfter },
          summary: `${diff.length} change(s) to ${current.name}`,
          artifact: {
            kind: 'model-change',
            title: `Change ${current.name}`,
            payload: { modelId: current.id, baseVersion: current.version, changes: { model, ...(args.name === undefined ? {} : { name: args.name }) }, diff, npvBefore, npvAfter },
          },
        };
      },
    },
    {
      name: 'propose_commitment',
      description:
        'Propose a commitment on a saved model at a confidence (P-level): 0.8 commits the value the model beats in 80% of simulated outcomes (P80). Shown to the user with the committed value; created only when they apply it.',
      parameters: {
        type: 'object',
        additionalProperties: false,
        required: ['modelId'],
        properties: {
          modelId: id,
          confidence: { type: 'number', minimum: 0.5, maximum: 0.99 },
          title: { type: 'string', minLength: 1, maxLength: 200 },
          milestones: {
            type: 'array',
            maxItems: 20,
            description: 'What to measure and by when: a driver of the model (metric), its target and due date',
            items: {
              type: 'object',
              additionalProperties: false,
              required: ['title', 'dueDate', 'metric', 'target'],
              properties: {
                title: { type: 'string', minLength: 1, maxLength: 200 },
                dueDate: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' },
                metric: { type: 'string', minLength: 1, maxLength: 64 },
                target: { type: 'number' },
              },
            },
          },
        },
      },
      plugin: 'value-committer',
      proposes: true,
      async run(args: { modelId: string; confidence?: number; title?: string; milestones?: { title: string; dueDate: string; metric: string; target: number }[] }, context) {
        const version = await models?.getVersion(context.tenantId, args.modelId);
        if (!version) throw notFound(`Value model ${args.modelId}`);
        const confidence = args.confidence ?? 0.8;
        // The same reading of the simulation as the committer's (the 1 − confidence quantile); the committer
        // computes it again, with its own trials and seed, when the proposal is applied.
        const sim = await calc.simulate({ model: version.model, trials: 5000, seed: 1, bins: 1, quantiles: [Number((1 - confidence).toFixed(6))] }, compute(context));
        const base = await calc.evaluateModel({ model: version.model }, compute(context));
        const committedValue = round(sim.min === sim.max ? sim.min : sim.quantiles[0]!.value);
        const pLevel = `P${Math.round(confidence * 100)}`;
        const title = args.title ?? `${version.name} (${pLevel})`;
        return {
          result: { proposed: 'commitment-proposal', pLevel, baseValue: round(base.metrics.npv.value), committedValue, currency: version.currency },
          summary: `proposed a ${pLevel} commitment of ${committedValue} ${version.currency}`,
          artifact: {
            kind: 'commitment-proposal',
            title,
            payload: {
              input: { modelId: version.id, modelVersion: version.version, confidence, title, ...(args.milestones ? { milestones: args.milestones } : {}) },
              preview: { pLevel, baseValue: round(base.metrics.npv.value), committedValue, currency: version.currency, modelName: version.name },
            },
          },
        };
      },
    },
    {
      name: 'list_commitments',
      description: "List the tenant's commitments (optionally by status), newest first, with committed values.",
      parameters: {
        type: 'object',
        additionalProperties: false,
        properties: { status: { type: 'array', items: { enum: ['draft', 'proposed', 'signed', 'active', 'closed'] } } },
      },
      plugin: 'value-committer',
      proposes: false,
      async run(args: { status?: ('draft' | 'proposed' | 'signed' | 'active' | 'closed')[] }, context) {
        const found = (await commitments?.list(context.tenantId, args.status ? { status: args.status } : undefined)) ?? [];
        return {
          result: found
            .slice(0, 20)
            .map((c) => ({ id: c.id, title: c.title, status: c.status, confidence: c.confidence, committedValue: c.committedValue, currency: c.currency, modelId: c.modelId })),
          summary: `${found.length} commitment(s)`,
        };
      },
    },
    {
      name: 'read_realization',
      description: 'How much of a commitment is realized so far: overall, per milestone and per driver (committed vs actual), and whether it is at risk.',
      parameters: { type: 'object', additionalProperties: false, required: ['commitmentId'], properties: { commitmentId: id } },
      plugin: 'value-executor',
      proposes: false,
      async run(args: { commitmentId: string }, context) {
        const found = await realization?.forCommitment(context.tenantId, args.commitmentId);
        if (!found) throw notFound(`Commitment ${args.commitmentId}`);
        return { result: found, summary: `realization ${round(found.overall * 100, 1)}%, ${found.outlook}` };
      },
    },
    {
      name: 'rank_amplification_ideas',
      description: "Rank where a commitment's value can be recovered: drivers behind their committed value, by the NPV their gap costs (gap × NPV sensitivity per unit).",
      parameters: { type: 'object', additionalProperties: false, required: ['commitmentId'], properties: { commitmentId: id } },
      plugin: 'value-amplifier',
      proposes: false,
      async run(args: { commitmentId: string }, context) {
        const commitment = await commitments?.get(context.tenantId, args.commitmentId);
        const measured = await realization?.forCommitment(context.tenantId, args.commitmentId);
        if (!commitment || !measured) throw notFound(`Commitment ${args.commitmentId}`);
        const version = await models?.getVersion(context.tenantId, commitment.modelId, commitment.modelVersion);
        if (!version) throw notFound(`The model of commitment ${args.commitmentId}`);
        const committed = new Map(commitment.drivers.map((d) => [d.key, d.value]));
        const model: ValueModel = { ...version.model, drivers: version.model.drivers.map((d) => (committed.has(d.name) ? { ...d, value: committed.get(d.name)! } : d)) };
        const tornado = await calc.sensitivity({ model }, compute(context));
        const ideas = measured.drivers
          .filter((d) => d.actual !== null && d.actual < d.committed)
          .map((d) => {
            const bar = tornado.bars.find((b) => b.driver === d.key);
            const span = bar ? bar.high.input - bar.low.input : 0;
            const perUnit = bar && span !== 0 && bar.high.value !== null && bar.low.value !== null ? (bar.high.value - bar.low.value) / span : 0;
            const gap = d.committed - d.actual!;
            return { driver: d.key, committed: d.committed, actual: d.actual, gap: round(gap), npvAtStake: round(Math.abs(gap * perUnit)) };
          })
          .sort((a, b) => (b.npvAtStake ?? 0) - (a.npvAtStake ?? 0));
        return { result: { commitmentId: commitment.id, ideas }, summary: `${ideas.length} idea(s) ranked` };
      },
    },
  ];
  return tools;
}

/**
 * The tools offered to one user in one tenant: those whose plugin is installed and enabled for the tenant, and of
 * those that propose writes only when the user's role may write.
 */
export async function toolsFor(
  all: readonly AgentTool[],
  services: ToolServices,
  context: { tenantId: string; role: Role },
  isEnabled: (pluginId: string) => Promise<boolean>,
): Promise<AgentTool[]> {
  const installed: Record<string, boolean> = {
    calculation: true,
    'value-architect': services.models !== undefined,
    'value-committer': services.commitments !== undefined && services.models !== undefined,
    'value-executor': services.realization !== undefined,
    'value-amplifier': services.realization !== undefined && services.commitments !== undefined && services.models !== undefined,
  };
  const enabled = new Map<string, boolean>();
  for (const plugin of new Set(all.map((t) => t.plugin))) enabled.set(plugin, installed[plugin] === true && (await isEnabled(plugin)));
  const mayWrite = WRITE_ROLES.includes(context.role);
  return all.filter((tool) => enabled.get(tool.plugin) === true && (!tool.proposes || mayWrite));
}
