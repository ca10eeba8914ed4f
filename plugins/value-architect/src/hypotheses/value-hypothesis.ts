import type { LibraryRange } from '../library/driver-library';

export type HypothesisConfidence = 'low' | 'medium' | 'high';

/** A proposed value driver for a model: what would change, by how much, and what it is worth a year. */
export interface ValueHypothesis {
  readonly title: string;
  readonly statement: string;
  readonly driver: { readonly key: string; readonly label: string; readonly unit: string; readonly range: LibraryRange };
  /** Annual value, an expression over `driver.key` and the model's drivers (or the library's assumptions). */
  readonly formula: string;
  readonly rationale: string;
  readonly confidence: HypothesisConfidence;
  /** `formula` at the typical driver value, with the model's inputs where it has them and the library's otherwise. */
  readonly estimatedAnnualValue: number;
}

/** What `POST /value-models/:id/hypotheses` answers: the hypotheses and which generator produced them. */
export interface HypothesisResult {
  readonly modelId: string;
  readonly version: number;
  readonly source: 'ai' | 'library';
  /** Plugin id of the AI provider that answered, null for the library. */
  readonly provider: string | null;
  /** Why the library answered, when it did. */
  readonly fallbackReason?: string;
  /** AI hypotheses dropped because they failed the checks (formula, range). */
  readonly discarded?: number;
  readonly hypotheses: ValueHypothesis[];
}
