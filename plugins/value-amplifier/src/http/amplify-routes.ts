import type { RouteDefinition } from '@valueverse/plugin-sdk';
import { portfolioBenchmarks } from '../benchmarks/portfolio-benchmarks';
import type { AmplifierDeps } from '../commitment-context';
import { recommend } from '../recommendations/recommend';
import { whatItTakes, type WhatItTakesRequest } from '../what-it-takes/what-it-takes';
import { amplifySchemas as s } from './amplify-schemas';

/** The routes under `/api/v1/amplify`. All read; what-it-takes is a POST for its body but stores nothing. */
export function createAmplifyRoutes(deps: AmplifierDeps): RouteDefinition[] {
  const recommendations: RouteDefinition = {
    method: 'GET',
    path: '/amplify/commitments/:id/recommendations',
    summary: 'Ranked recommendations: under-realized drivers by gap × sensitivity, then over-delivering drivers as expansion opportunities',
    schema: { params: s.commitmentParams, query: s.noQuery },
    handler: (request) => recommend(deps, request.tenant.id, request.params.id!),
  };

  const benchmarks: RouteDefinition<unknown, { industry?: string }> = {
    method: 'GET',
    path: '/amplify/benchmarks',
    summary: "Portfolio benchmarks: P25/P50/P75 of realization and committed value across the tenant's commitments, by industry",
    schema: { query: s.benchmarksQuery },
    handler: (request) => portfolioBenchmarks(deps.commitments, deps.realization, request.tenant.id, request.query.industry),
  };

  const whatItTakesRoute: RouteDefinition<WhatItTakesRequest> = {
    method: 'POST',
    path: '/amplify/commitments/:id/what-it-takes',
    summary: 'What it would take: the value a driver must reach to hit the committed value (goal seek in the calculation plugin)',
    // Reads only: every member of the tenant, viewers included, may ask.
    minRole: 'viewer',
    schema: { params: s.commitmentParams, body: s.whatItTakesBody },
    handler: (request) => whatItTakes(deps, request.tenant.id, request.params.id!, request.body ?? {}),
  };

  return [recommendations, benchmarks, whatItTakesRoute] as RouteDefinition[];
}
