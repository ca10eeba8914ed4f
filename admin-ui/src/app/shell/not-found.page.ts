import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router, RouterLink } from '@angular/router';

/** Unknown paths, including pages of plugins that are not enabled for this tenant. */
@Component({
  selector: 'vv-not-found-page',
  imports: [RouterLink],
  template: `
    <h1>Page not found</h1>
    <p>
      There is no page at <code>{{ url }}</code> for this tenant. It may belong to a plugin that is not enabled.
    </p>
    <p><a routerLink="/workspace">Back to the workspace</a></p>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotFoundPage {
  protected readonly url = inject(Router).url;
}
