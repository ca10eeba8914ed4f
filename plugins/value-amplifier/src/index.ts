export { plugin } from './plugin';
export type { RecommendationsReport } from './recommendations/recommend';
export type { Recommendation, RankedRecommendations } from './recommendations/rank-recommendations';
export type { PortfolioBenchmarks, BenchmarkGroup } from './benchmarks/portfolio-benchmarks';
export type { Quartiles } from './benchmarks/percentile';
export type { WhatItTakes, WhatItTakesRequest } from './what-it-takes/what-it-takes';
