import { CurrencyPipe, DecimalPipe, PercentPipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, inject, resource } from '@angular/core';
import { ApiClient } from '../../api/api-client';
import { toProblem } from '../../api/problem';
import { RequestState } from '../../ui/request-state';
import { CommitmentPicker } from '../commitment-picker';
import { commitmentSelection } from '../commitment-selection';
import { toRecommendations } from '../lifecycle-data';

/** Amplifier recommendations for a commitment: drivers to act on, ranked by the value their gap is worth. */
@Component({
  selector: 'vv-amplify-page',
  imports: [CurrencyPipe, DecimalPipe, PercentPipe, RequestState, CommitmentPicker],
  templateUrl: './amplify.page.html',
  styles: `
    .vv-toolbar h1 {
      margin: 0;
    }
    .recs {
      list-style: none;
      padding: 0;
    }
    .recs h2 {
      margin: 0;
      display: flex;
      gap: 0.5rem;
      align-items: baseline;
    }
    .rank {
      color: var(--vv-muted);
      font-weight: 400;
    }
    .facts {
      display: flex;
      flex-wrap: wrap;
      gap: 1rem;
      color: var(--vv-muted);
      margin-bottom: 0;
    }
    .loss {
      color: var(--vv-danger);
    }
    .gain {
      color: var(--vv-ok);
    }
    .note {
      color: var(--vv-muted);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AmplifyPage {
  private readonly api = inject(ApiClient);
  protected readonly selection = commitmentSelection();
  protected readonly report = resource({
    params: () => this.selection.selectedId(),
    loader: async ({ params, abortSignal }) =>
      toRecommendations(await this.api.get<unknown>(`/api/v1/amplify/commitments/${encodeURIComponent(params)}/recommendations`, undefined, abortSignal)),
  });

  protected reportProblem() {
    const e = this.report.error();
    return e ? toProblem(e) : undefined;
  }
}
