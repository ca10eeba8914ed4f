import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, resource } from '@angular/core';
import { ActivatedRoute, RouterLink } from '@angular/router';
import { ApiClient } from '../../api/api-client';
import { toProblem } from '../../api/problem';
import { BarCompareChart, type BarPair } from '../../charts/bar-compare-chart';
import { SessionService } from '../../session/session.service';
import { LiveUpdates, type LiveEvent } from '../../shell/live-updates';
import { isLifecyclePage } from '../../shell/plugin-nav';
import { WorkspacePlugins } from '../../shell/workspace-plugins';
import { formatMoney, formatPercent } from '../../ui/format';
import { RequestState } from '../../ui/request-state';
import { statusLabel, statusTone } from '../../ui/status';
import { toRealization, type CommitmentPage, type RealizationReport } from '../lifecycle-data';
import { toModelPage } from '../value-models/saved-model';
import { dashboardSummary, IN_FORCE } from './dashboard-data';

/** Realization reports fetched for the dashboard: the newest commitments in force (one request each). */
const MAX_REPORTS = 12;

/**
 * The workspace's front page (issue 19): committed against realized value across the tenant's commitments, what
 * needs attention (at risk, missed) with links, the models still being worked on, and events as they happen.
 */
@Component({
  selector: 'vv-dashboard-page',
  imports: [DatePipe, RouterLink, BarCompareChart, RequestState],
  templateUrl: './dashboard.page.html',
  styleUrl: './dashboard.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DashboardPage {
  private readonly api = inject(ApiClient);
  protected readonly session = inject(SessionService);
  protected readonly plugins = inject(WorkspacePlugins);
  protected readonly live = inject(LiveUpdates);
  protected readonly denied = inject(ActivatedRoute).snapshot.queryParamMap.get('denied');
  /** The lifecycle steps of the enabled plugins, in order (other plugins' pages are in the navigation only). */
  protected readonly lifecycle = computed(() => this.plugins.nav().filter((e) => isLifecyclePage(e.path)));
  protected readonly has = (path: string) => this.plugins.nav().some((e) => e.path === path);

  protected readonly commitments = resource({
    loader: async ({ abortSignal }) => {
      const page = await this.api.get<CommitmentPage>('/api/v1/commitments', { limit: 100 }, abortSignal);
      const inForce = page.items.filter((c) => IN_FORCE.has(c.status)).slice(0, MAX_REPORTS);
      const reports = new Map<string, RealizationReport>();
      // Without value-executor the figures are the committed side only: a failed report is left out, not fatal.
      await Promise.all(
        inForce.map(async (c) => {
          const r = await this.api.get<unknown>(`/api/v1/realization/commitments/${encodeURIComponent(c.id)}`, undefined, abortSignal).catch(() => undefined);
          const report = toRealization(r);
          if (report) reports.set(c.id, report);
        }),
      );
      return dashboardSummary(page.items, reports);
    },
  });
  protected readonly models = resource({
    loader: async ({ abortSignal }) => toModelPage(await this.api.get<unknown>('/api/v1/value-models', { status: 'draft', limit: 5 }, abortSignal)).items,
  });

  protected readonly summary = computed(() => (this.commitments.hasValue() ? this.commitments.value() : undefined));
  protected readonly bars = computed<BarPair[]>(() =>
    (this.summary()?.standings ?? [])
      .filter((s) => IN_FORCE.has(s.status) && s.currency === this.summary()!.currency)
      .map((s) => ({ label: s.title, planned: s.committed, actual: s.realized ?? 0, tone: toneOf(s.outlook) })),
  );
  protected readonly realizedShare = computed(() => {
    const s = this.summary();
    return s && s.committed > 0 ? s.realized / s.committed : null;
  });

  protected readonly money = (value: number, currency = this.summary()?.currency ?? 'USD') => formatMoney(value, currency);
  protected readonly pct = formatPercent;
  protected readonly tone = statusTone;
  protected readonly label = statusLabel;

  protected commitmentsProblem() {
    const e = this.commitments.error();
    return e ? toProblem(e) : undefined;
  }

  protected modelsProblem() {
    const e = this.models.error();
    return e ? toProblem(e) : undefined;
  }

  /** An event as a sentence, with a link to what it is about. */
  protected describe(event: LiveEvent): { text: string; link?: string[]; query?: Record<string, string> } {
    const p = event.payload;
    const commitmentId = typeof p['commitmentId'] === 'string' ? p['commitmentId'] : undefined;
    const modelId = typeof p['modelId'] === 'string' ? p['modelId'] : typeof p['id'] === 'string' ? p['id'] : undefined;
    const [subject, verb] = event.name.split('.');
    const words = `${subject!.replace(/-/g, ' ')} ${statusLabel(verb ?? '')}`;
    const text = words.charAt(0).toUpperCase() + words.slice(1);
    if (commitmentId && (subject === 'milestone' || subject === 'realization' || subject === 'measurement'))
      return { text, link: ['/workspace/realization'], query: { commitment: commitmentId } };
    if (commitmentId) return { text, link: ['/workspace/commitments'], query: { commitment: commitmentId } };
    if (subject === 'value-model' && modelId && verb !== 'deleted') return { text, link: ['/workspace/value-models', modelId] };
    return { text };
  }
}

function toneOf(outlook: string | null): BarPair['tone'] {
  const tone = statusTone(outlook ?? '');
  return tone === 'info' ? 'ok' : tone;
}
