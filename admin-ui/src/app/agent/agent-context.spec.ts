import { agentContextOf } from './agent-context';

describe('agentContextOf', () => {
  it('reads the page object from the URL', () => {
    expect(agentContextOf('/workspace/value-models/m-1')).toEqual({ kind: 'value-model', id: 'm-1' });
    expect(agentContextOf('/workspace/value-models/new')).toBeNull();
    expect(agentContextOf('/workspace/commitments?commitment=c-1')).toEqual({ kind: 'commitment', id: 'c-1' });
    expect(agentContextOf('/workspace/realization?commitment=c-2&x=1')).toEqual({ kind: 'realization', id: 'c-2' });
    expect(agentContextOf('/workspace')).toBeNull();
  });
});
