import { guardCumulative, type EffectiveReading, type NewReading } from './cumulative-guard';

const stored = (id: string, value: number, day: string): EffectiveReading => ({ id, value, measuredAt: new Date(day) });
const incoming = (index: number, value: number, day: string, correctionReason: string | null = null): NewReading => ({ index, value, measuredAt: new Date(day), correctionReason });

describe('guardCumulative (issue #11, item 3)', () => {
  const series = [stored('a', 300, '2026-12-01'), stored('b', 900, '2026-12-02')];

  it('refuses 900 → 500 and names the reading it falls below', () => {
    expect(guardCumulative(series, [incoming(0, 500, '2026-12-03')])).toEqual({
      problems: [{ index: 0, value: 500, previous: 900, previousDate: '2026-12-02', later: false }],
      supersedes: new Map(),
    });
  });

  it('refuses a back-dated reading above a later one (the series would fall after it)', () => {
    expect(guardCumulative(series, [incoming(0, 950, '2026-11-30')]).problems).toEqual([{ index: 0, value: 300, previous: 950, previousDate: '2026-11-30', later: true }]);
  });

  it('accepts equal and rising readings, in-between ones, and checks a batch in time order', () => {
    expect(guardCumulative(series, [incoming(0, 900, '2026-12-03'), incoming(1, 600, '2026-12-01T12:00:00Z')]).problems).toEqual([]);
    // Given out of order: 1000 (Dec 5) then 950 (Dec 4) is a rising series.
    expect(guardCumulative(series, [incoming(0, 1000, '2026-12-05'), incoming(1, 950, '2026-12-04')]).problems).toEqual([]);
    // Within the batch: 1000 on Dec 4 then 950 on Dec 5 falls.
    expect(guardCumulative(series, [incoming(0, 1000, '2026-12-04'), incoming(1, 950, '2026-12-05')]).problems).toEqual([
      { index: 1, value: 950, previous: 1000, previousDate: '2026-12-04', later: false },
    ]);
  });

  it('a correction with a reason supersedes the earlier readings above it', () => {
    const result = guardCumulative(series, [incoming(0, 500, '2026-12-03', 'the 900 counted each ticket twice')]);
    expect(result.problems).toEqual([]);
    expect(result.supersedes).toEqual(new Map([[0, [stored('b', 900, '2026-12-02')]]]));
  });

  it('a correction cannot fall below a later reading', () => {
    const later = [...series, stored('c', 1000, '2026-12-05')];
    expect(guardCumulative(later, [incoming(0, 1200, '2026-12-03', 'recount')]).problems).toEqual([
      { index: 0, value: 1000, previous: 1200, previousDate: '2026-12-03', later: true },
    ]);
  });
});
