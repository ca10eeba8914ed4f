import { statusLabel, statusTone } from './status';

describe('status tones', () => {
  it('gives statuses colours with meaning, not one grey for all (issue 19, bug 6)', () => {
    expect(statusTone('missed')).toBe('danger');
    expect(statusTone('at-risk')).toBe('warn');
    expect(statusTone('achieved')).toBe('ok');
    expect(statusTone('active')).toBe('ok');
    expect(statusTone('signed')).toBe('info');
    expect(statusTone('proposed')).toBe('warn');
    expect(statusTone('draft')).toBe('neutral');
    expect(new Set(['draft', 'proposed', 'signed', 'active'].map(statusTone)).size).toBeGreaterThan(2);
  });

  it('reads as words', () => {
    expect(statusLabel('insufficient-data')).toBe('insufficient data');
  });
});
