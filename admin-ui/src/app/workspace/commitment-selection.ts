import { computed, inject, resource, type ResourceRef, type Signal } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { ActivatedRoute, Router } from '@angular/router';
import { map } from 'rxjs';
import { ApiClient } from '../api/api-client';
import { toProblem, type Problem } from '../api/problem';
import type { Commitment, CommitmentPage } from './lifecycle-data';

export interface CommitmentSelection {
  readonly commitments: ResourceRef<readonly Commitment[] | undefined>;
  /** The chosen commitment id: `?commitment=` in the URL, else the newest commitment. */
  readonly selectedId: Signal<string | undefined>;
  readonly problem: Signal<Problem | undefined>;
  select(id: string | undefined): void;
}

/**
 * The tenant's commitments and the one chosen, kept in the URL (`?commitment=`) so the page can be linked and
 * reloaded. Call in an injection context (a page's field initializer).
 */
export function commitmentSelection(): CommitmentSelection {
  const api = inject(ApiClient);
  const router = inject(Router);
  const route = inject(ActivatedRoute);
  const fromUrl = toSignal(route.queryParamMap.pipe(map((p) => p.get('commitment') ?? undefined)));
  const commitments = resource({
    loader: async ({ abortSignal }) => (await api.get<CommitmentPage>('/api/v1/commitments', { limit: 100 }, abortSignal)).items,
  });
  const selectedId = computed(() => {
    const list = commitments.hasValue() ? commitments.value() : [];
    const wanted = fromUrl();
    return list.find((c) => c.id === wanted)?.id ?? list[0]?.id;
  });
  const problem = computed(() => {
    const e = commitments.error();
    return e ? toProblem(e) : undefined;
  });
  return {
    commitments,
    selectedId,
    problem,
    select: (id) => void router.navigate([], { relativeTo: route, queryParams: { commitment: id ?? null }, replaceUrl: true }),
  };
}
