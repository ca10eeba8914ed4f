import { Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { CommitmentPicker } from './commitment-picker';
import type { Commitment } from './lifecycle-data';

const commitment = (id: string, title: string): Commitment => ({
  id,
  title,
  status: 'signed',
  version: 1,
  modelId: 'm',
  confidence: 0.8,
  baseValue: 100,
  committedValue: 80,
  currency: 'USD',
  milestones: [],
  previousVersionId: null,
  amendedBy: null,
  amendmentReason: null,
  tenantId: 't',
  modelVersion: 1,
  industry: null,
  drivers: [],
  successCriteria: [],
  metrics: [],
  simulation: {},
  createdBy: 'u',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedBy: 'u',
  updatedAt: '2026-01-01T00:00:00.000Z',
  signedBy: 'u',
  signedAt: '2026-01-01T00:00:00.000Z',
  nextStatuses: ['active'],
});

@Component({
  imports: [CommitmentPicker],
  template: `<vv-commitment-picker [commitments]="commitments" [(selected)]="selected" />`,
})
class Host {
  readonly commitments = [commitment('c-new', 'Newest'), commitment('c-old', 'Older')];
  readonly selected = signal<string | undefined>('c-old');
}

describe('CommitmentPicker', () => {
  it('shows the chosen commitment on first render even when it is not the first option (a ?commitment= deep link)', async () => {
    const fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    const select = (fixture.nativeElement as HTMLElement).querySelector('select')!;
    expect(select.value).toBe('c-old');
    expect(select.selectedOptions[0]!.textContent).toContain('Older (signed)');
  });

  it('reports a choice', async () => {
    const fixture = TestBed.createComponent(Host);
    await fixture.whenStable();
    const select = (fixture.nativeElement as HTMLElement).querySelector('select')!;
    select.value = 'c-new';
    select.dispatchEvent(new Event('change'));
    expect(fixture.componentInstance.selected()).toBe('c-new');
  });
});
