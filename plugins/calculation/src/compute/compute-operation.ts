/** The value-model operations that run under a compute budget. */
export const computeOperations = ['evaluateModel', 'headline', 'scenario', 'sensitivity', 'goalSeek', 'riskAdjustment', 'simulate'] as const;
export type ComputeOperation = (typeof computeOperations)[number];
