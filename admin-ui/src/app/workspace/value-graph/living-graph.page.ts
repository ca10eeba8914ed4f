import { ChangeDetectionStrategy, Component, DestroyRef, computed, inject, resource, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { RouterLink } from '@angular/router';
import { ApiClient } from '../../api/api-client';
import { toProblem } from '../../api/problem';
import { LiveUpdates } from '../../shell/live-updates';
import { formatLocale } from '../../ui/format';
import { RequestState } from '../../ui/request-state';
import { statusLabel, statusTone } from '../../ui/status';
import { CalculationApi, type ValueModel } from '../calculation-api';
import { commitmentSelection } from '../commitment-selection';
import { toRealization, type Commitment } from '../lifecycle-data';
import { PresenceBar, presenceOn } from '../presence/presence';
import { livingFigures } from './living-figures';
import { buildValueGraph } from './value-graph';
import { ValueGraphView } from './value-graph-view';

/** Realization events that change a commitment's figures. */
const REALIZATION_EVENTS = new Set(['measurement.recorded', 'milestone.achieved', 'milestone.missed', 'realization.at-risk', 'commitment.activated', 'commitment.closed']);

/** Measurements often arrive in bursts (a CSV import): one refresh per burst. */
const REFRESH_MS = 250;

interface LivingData {
  readonly commitment: Commitment;
  readonly model: ValueModel;
  /** False when the committed model version is gone: the graph then shows the committed drivers only. */
  readonly fromModel: boolean;
}

interface CommittedDriver {
  readonly key: string;
  readonly label: string;
  readonly unit: string;
  readonly value: number;
}

/** The commitment's copy of its drivers (value-committer `CommittedDriver`), read defensively. */
function committedDrivers(c: Commitment): CommittedDriver[] {
  return (c.drivers as unknown[]).flatMap((raw) => {
    const d = (raw ?? {}) as Record<string, unknown>;
    if (typeof d['key'] !== 'string' || typeof d['value'] !== 'number') return [];
    return [{ key: d['key'], value: d['value'], label: typeof d['label'] === 'string' ? d['label'] : d['key'], unit: typeof d['unit'] === 'string' ? d['unit'] : '' }];
  });
}

/** A model from the committed drivers alone, for commitments whose model version can no longer be read. */
function driversOnly(c: Commitment): ValueModel {
  return {
    horizon: 1,
    discountRate: 0,
    benefit: '0',
    drivers: committedDrivers(c).map((d) => ({ name: d.key, value: d.value, ...(d.unit ? { unit: d.unit } : {}), description: d.label })),
  };
}

/**
 * The living value graph (issue 20, item 4): the value graph of a signed commitment's model version, with the
 * actuals measured so far against the committed values on each node, coloured by realization status; it follows
 * the tenant's event stream, so a measurement recorded anywhere recolours the graph without a reload.
 */
@Component({
  selector: 'vv-living-graph-page',
  imports: [ValueGraphView, PresenceBar, RequestState, RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <div class="vv-toolbar">
      <h1>Living value graph</h1>
      <span class="vv-grow"></span>
      <label>
        Commitment
        <select (change)="selection.select($any($event.target).value)">
          @for (c of selection.commitments.value() ?? []; track c.id) {
            <option [value]="c.id" [selected]="c.id === selection.selectedId()">{{ c.title }} (v{{ c.version }}, {{ c.status }})</option>
          }
        </select>
      </label>
    </div>
    <vv-request-state [loading]="data.isLoading() && !data.value()" [problem]="problem()" what="the commitment" feature="Living value graph" (retry)="data.reload()" />
    @if (data.value(); as d) {
      <div class="summary" data-testid="living-graph" [attr.data-commitment]="d.commitment.id">
        <p>
          <strong>{{ d.commitment.title }}</strong> · {{ d.commitment.status }} · committed at P{{ pLevel(d.commitment.confidence) }}
          @if (realization.value(); as r) {
            · outlook <span class="vv-badge" [class]="tone(r.outlook)" data-testid="living-outlook">{{ label(r.outlook) }}</span> · as of {{ date(r.asOf) }}
          }
        </p>
        <p class="links">
          <a [routerLink]="['/workspace/realization']" [queryParams]="{ commitment: d.commitment.id }">Record a measurement</a>
          <a [routerLink]="['/workspace/value-canvas']" [queryParams]="{ model: d.commitment.modelId }">Model canvas</a>
        </p>
        <vv-presence-bar [others]="others()" />
        @if (!d.fromModel) {
          <p class="note">The committed model version can no longer be read: the graph shows the committed drivers.</p>
        }
        @if (d.commitment.status !== 'signed' && d.commitment.status !== 'active' && d.commitment.status !== 'closed') {
          <p class="note">This commitment is not signed yet: nothing is measured against it.</p>
        }
      </div>
      <vv-value-graph
        [graph]="graph()"
        [figures]="figures()"
        [selected]="selected()"
        label="Living value graph: committed against actual per node"
        (nodeSelect)="selected.set($event)"
      />
      @if (selectedFigures(); as f) {
        <p class="detail" role="status" data-testid="living-node-detail">
          {{ f.label }}: {{ f.value ?? '—' }}{{ f.detail ? ' · ' + f.detail : '' }}{{ f.status ? ' · ' + label(f.status) : '' }}
        </p>
      }
      <ul class="legend" aria-label="Status colours">
        @for (s of legend; track s) {
          <li>
            <span class="vv-badge" [class]="tone(s)">{{ label(s) }}</span>
          </li>
        }
      </ul>
    }
  `,
  styles: `
    :host {
      display: block;
      min-width: 0;
    }
    .summary p {
      margin: 0.25rem 0;
      overflow-wrap: anywhere;
    }
    .links {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem 1rem;
    }
    .note {
      color: var(--vv-muted);
    }
    select {
      max-width: 16rem;
    }
    .legend {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      list-style: none;
      padding: 0;
    }
  `,
})
export class LivingGraphPage {
  private readonly api = inject(ApiClient);
  private readonly calc = inject(CalculationApi);
  protected readonly selection = commitmentSelection();
  protected readonly legend = ['achieved', 'on-track', 'at-risk', 'missed', 'insufficient-data'];
  protected readonly tone = (s: string) => statusTone(s);
  protected readonly label = statusLabel;
  protected readonly date = (iso: string) => (iso ? new Date(iso).toLocaleString(formatLocale()) : '—');
  protected readonly pLevel = (confidence: number) => Math.round(confidence * 100);

  protected readonly data = resource({
    params: () => this.selection.selectedId(),
    loader: async ({ params, abortSignal }): Promise<LivingData> => {
      const commitment = await this.api.get<Commitment>(`/api/v1/commitments/${encodeURIComponent(params)}`, undefined, abortSignal);
      try {
        const version = await this.api.get<{ model?: ValueModel }>(
          `/api/v1/value-models/${encodeURIComponent(commitment.modelId)}/versions/${commitment.modelVersion}`,
          undefined,
          abortSignal,
        );
        if (version.model) return { commitment, model: version.model, fromModel: true };
      } catch {
        // The model was deleted (commitments keep their own figures) or value-architect is off for the tenant.
      }
      return { commitment, model: driversOnly(commitment), fromModel: false };
    },
  });
  private readonly tick = signal(0);
  protected readonly realization = resource({
    params: () => {
      const d = this.data.value();
      return d && d.commitment.status !== 'draft' && d.commitment.status !== 'proposed' ? { id: d.commitment.id, tick: this.tick() } : undefined;
    },
    loader: async ({ params, abortSignal }) =>
      toRealization(await this.api.get<unknown>(`/api/v1/realization/commitments/${encodeURIComponent(params.id)}`, undefined, abortSignal)),
  });
  protected readonly evaluation = resource({
    params: () => this.data.value()?.model,
    loader: ({ params, abortSignal }) => this.calc.evaluate(params, abortSignal),
  });

  protected readonly problem = computed(() => {
    const e = this.selection.problem() ?? (this.data.error() ? toProblem(this.data.error()) : undefined);
    return e;
  });
  protected readonly graph = computed(() => {
    const d = this.data.value();
    return d ? buildValueGraph(d.model) : { nodes: [], edges: [] };
  });
  protected readonly figures = computed(() => {
    const d = this.data.value();
    if (!d) return new Map();
    const c = d.commitment;
    return livingFigures(
      d.model,
      { currency: c.currency, committedValue: c.committedValue, drivers: Object.fromEntries(committedDrivers(c).map((x) => [x.key, x.value])) },
      this.evaluation.hasValue() ? this.evaluation.value() : undefined,
      this.realization.hasValue() ? this.realization.value() : undefined,
    );
  });
  protected readonly others = presenceOn(
    'commitments',
    computed(() => this.data.value()?.commitment.id),
    signal('viewing' as const),
  );

  protected readonly selected = signal<string | undefined>(undefined);
  protected readonly selectedFigures = computed(() => {
    const id = this.selected();
    const node = this.graph().nodes.find((n) => n.id === id);
    return node ? { label: node.label, ...this.figures().get(node.id) } : undefined;
  });

  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    inject(LiveUpdates)
      .events.pipe(takeUntilDestroyed())
      .subscribe((event) => {
        const id = this.data.value()?.commitment.id;
        if (!id || event.payload['commitmentId'] !== id) return;
        if (event.name.startsWith('commitment.')) this.data.reload();
        else if (REALIZATION_EVENTS.has(event.name)) {
          clearTimeout(this.timer);
          this.timer = setTimeout(() => this.tick.update((n) => n + 1), REFRESH_MS);
        }
      });
    inject(DestroyRef).onDestroy(() => clearTimeout(this.timer));
  }
}
