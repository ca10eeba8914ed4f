import { realizationOutlook } from './realization-outlook';

const of = (...statuses: string[]) => realizationOutlook(statuses.map((status) => ({ status: status as never })));

describe('realizationOutlook', () => {
  it('says insufficient-data while no open milestone can be projected, on-track once one can', () => {
    expect(of('insufficient-data', 'insufficient-data')).toBe('insufficient-data');
    expect(of('achieved', 'insufficient-data')).toBe('insufficient-data');
    expect(of('insufficient-data', 'on-track')).toBe('on-track');
    expect(of()).toBe('insufficient-data');
  });

  it('puts a missed milestone first, then one at risk, and is achieved only when every milestone is', () => {
    expect(of('missed', 'at-risk', 'on-track')).toBe('missed');
    expect(of('at-risk', 'on-track')).toBe('at-risk');
    expect(of('achieved', 'achieved')).toBe('achieved');
  });
});
