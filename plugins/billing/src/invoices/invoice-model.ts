import type { QuoteTier } from '../pricing/quote-plan';

export type InvoiceStatus = 'draft' | 'finalized' | 'paid' | 'void' | 'uncollectible';
export type InvoiceKind = 'start' | 'period' | 'termination';

/** Where a figure on an invoice comes from: a commitment's realization report (value-executor). */
export interface LineEvidence {
  readonly commitmentId: string;
  readonly title: string;
  /** The commitment's part of the line's quantity (an outcome line), or absent. */
  readonly value?: number;
  readonly unit?: string;
  /** API path of the realization report, as of the period's end (outcome) or the miss (a guarantee credit). */
  readonly path: string;
}

export interface InvoiceLine {
  /**
   * `adjustment`: usage of an earlier, finalized invoice (`adjusts`) received after it was issued. `credit`: a
   * commitment's guarantee for a missed milestone (negative amount, with `evidence`).
   */
  readonly kind: 'base' | 'usage' | 'adjustment' | 'credit';
  readonly description: string;
  readonly metric?: string;
  readonly model?: string;
  readonly quantity: string;
  readonly amountCents: number;
  readonly tiers?: readonly QuoteTier[];
  /** For an adjustment: the invoice it corrects; its `quantity` is that invoice's quantity now. */
  readonly adjusts?: string;
  /** Outcome usage lines and guarantee credits: the realization reports behind the figure. */
  readonly evidence?: readonly LineEvidence[];
  /** A guarantee credit: the credit it applies, and the whole credit (what this invoice could not absorb carries over). */
  readonly guaranteeCreditId?: string;
  readonly creditCents?: number;
  /** Local dates [from, to) the line bills. */
  readonly from: string;
  readonly to: string;
}

export interface CreditNote {
  readonly id: string;
  readonly number: string;
  readonly amountCents: number;
  readonly reason: string;
  readonly createdAt: string;
}

export interface Invoice {
  readonly id: string;
  /** `INV-YYYY-NNNNNN`, gapless per tenant and year; null while a draft. */
  readonly number: string | null;
  readonly status: InvoiceStatus;
  readonly kind: InvoiceKind;
  readonly customerId: string;
  readonly subscriptionId: string | null;
  readonly planCode: string;
  readonly currency: string;
  readonly timeZone: string;
  /** Local dates [periodStart, periodEnd) the invoice covers. */
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly lines: readonly InvoiceLine[];
  readonly subtotalCents: number;
  readonly taxRate: string;
  readonly taxCents: number;
  /** The customer's credit (from credit notes on paid invoices) applied to this one. */
  readonly creditsCents: number;
  readonly totalCents: number;
  readonly creditedCents: number;
  readonly paidCents: number;
  readonly amountDueCents: number;
  readonly paymentAttempts: number;
  readonly paymentStatus: string | null;
  readonly creditNotes: readonly CreditNote[];
  readonly createdAt: string;
  readonly finalizedAt: string | null;
  readonly paidAt: string | null;
}
