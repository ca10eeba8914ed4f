import type { ValueModel } from '../calculation-api';
import type { MilestoneRealization, RealizationReport } from '../lifecycle-data';
import { livingFigures } from './living-figures';
import { NPV_NODE } from './value-graph';

const model: ValueModel = {
  horizon: 2,
  discountRate: 0.1,
  drivers: [
    { name: 'agents', value: 400 },
    { name: 'hours', value: 100 },
    { name: 'rate', value: 40 },
  ],
  formulas: [{ name: 'savings', expression: 'agents * hours * rate' }],
  benefit: 'savings',
};
const committed = { currency: 'USD', committedValue: 250000, drivers: { agents: 400, hours: 100, rate: 40 } };

const milestone = (metric: string, status: string, actual: number | null = null): MilestoneRealization => ({
  milestoneId: `${metric}-${status}`,
  title: metric,
  metric,
  dueDate: '2027-01-01',
  target: 100,
  actual,
  projected: null,
  variance: null,
  status,
  basis: 'latest-reading',
  projection: null,
  insufficientDataReason: null,
});

function report(milestones: MilestoneRealization[], drivers: RealizationReport['drivers'], outlook = 'on-track'): RealizationReport {
  return { commitmentId: 'c1', title: 'C', asOf: '2026-12-06T00:00:00Z', overall: 0.42, atRisk: false, outlook, milestones, drivers };
}

describe('living graph figures', () => {
  it("colours a node by its milestones' worst status, in the console's tones", () => {
    const figures = livingFigures(
      model,
      committed,
      undefined,
      report([milestone('hours', 'achieved', 120), milestone('hours', 'at-risk', 120), milestone('savings', 'missed', 10)], []),
    );
    expect(figures.get('hours')).toMatchObject({ status: 'at-risk', tone: 'warn', detail: 'actual 120 of 100' });
    expect(figures.get('savings')).toMatchObject({ status: 'missed', tone: 'danger' });
    expect(figures.get('agents')?.status).toBeUndefined();
  });

  it('judges a measured driver without milestones by its variance, and an unmeasured one as insufficient data', () => {
    const figures = livingFigures(
      model,
      committed,
      undefined,
      report(
        [],
        [
          { key: 'agents', committed: 400, actual: 420, variance: 0.05 },
          { key: 'rate', committed: 40, actual: 30, variance: -0.25 },
          { key: 'hours', committed: 100, actual: null, variance: null },
        ],
      ),
    );
    expect(figures.get('agents')).toMatchObject({ status: 'on-track', tone: 'ok', value: 'committed 400', detail: 'actual 420' });
    expect(figures.get('rate')).toMatchObject({ status: 'at-risk', tone: 'warn' });
    expect(figures.get('hours')).toMatchObject({ status: 'insufficient-data', tone: 'neutral', detail: 'actual —' });
  });

  it("shows the committed value, the share realized and the commitment's outlook on NPV", () => {
    const figures = livingFigures(model, committed, undefined, report([], [], 'at-risk'));
    expect(figures.get(NPV_NODE)).toMatchObject({ status: 'at-risk', tone: 'warn', detail: 'realized 42%' });
    expect(figures.get(NPV_NODE)?.value).toMatch(/^committed \$250,000$/);
    expect(livingFigures(model, committed, undefined, undefined).get(NPV_NODE)).toMatchObject({ detail: 'no realization yet' });
  });
});
