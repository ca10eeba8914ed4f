import { commitmentEvents } from '../commitments-api';
import { allowedTransitions, canTransition, commitmentStatuses, isSigned, transitionEvent } from './commitment-lifecycle';

describe('commitment lifecycle', () => {
  it('allows exactly draft → proposed → signed → active → closed and proposed → draft', () => {
    const allowed = commitmentStatuses.flatMap((from) => commitmentStatuses.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual(['draft→proposed', 'proposed→draft', 'proposed→signed', 'signed→active', 'active→closed']);
    expect(allowedTransitions.closed).toEqual([]);
  });

  it('freezes content from signed on', () => {
    expect(commitmentStatuses.filter(isSigned)).toEqual(['signed', 'active', 'closed']);
  });

  it('announces each forward move with an event of the contract', () => {
    for (const to of commitmentStatuses) {
      const name = transitionEvent(to);
      if (name) expect(commitmentEvents).toContain(name);
    }
    expect(transitionEvent('draft')).toBeUndefined();
  });
});
