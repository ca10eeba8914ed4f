import type { CommitmentStatus } from '../commitments-api';

/**
 * The commitment state machine: draft → proposed → signed → active → closed, and proposed → draft to withdraw a
 * proposal for changes. Content can change in `draft` only; from `signed` on, a commitment is immutable and changes
 * are amendments (new versions). Signing an amendment also closes the version it replaces: a move the committer
 * makes itself, not one a user may ask for.
 */
export const allowedTransitions: Readonly<Record<CommitmentStatus, readonly CommitmentStatus[]>> = {
  draft: ['proposed'],
  proposed: ['draft', 'signed'],
  signed: ['active'],
  active: ['closed'],
  closed: [],
};

export const commitmentStatuses: readonly CommitmentStatus[] = ['draft', 'proposed', 'signed', 'active', 'closed'];

export function canTransition(from: CommitmentStatus, to: CommitmentStatus): boolean {
  return allowedTransitions[from].includes(to);
}

/** Statuses in which the commitment's content is frozen. */
export function isSigned(status: CommitmentStatus): boolean {
  return status === 'signed' || status === 'active' || status === 'closed';
}

/** The event announcing a move into `to` (none for withdrawing to draft). */
export function transitionEvent(to: CommitmentStatus): string | undefined {
  switch (to) {
    case 'proposed':
      return 'commitment.proposed';
    case 'signed':
      return 'commitment.signed';
    case 'active':
      return 'commitment.activated';
    case 'closed':
      return 'commitment.closed';
    case 'draft':
      return undefined;
  }
}
