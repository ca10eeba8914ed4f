import type { AgentContext } from './agent-api';

/**
 * The object of the page at `url`, as the agent's context: a saved value model (`/workspace/value-models/:id`), the
 * commitment chosen on the commitments page, or the realization of the one chosen there (`?commitment=`).
 */
export function agentContextOf(url: string): AgentContext | null {
  const [path = '', query = ''] = url.split('?');
  const model = /^\/workspace\/value-models\/([^/]+)$/.exec(path);
  if (model && model[1] !== 'new') return { kind: 'value-model', id: decodeURIComponent(model[1]!) };
  const commitment = new URLSearchParams(query).get('commitment');
  if (commitment && path === '/workspace/commitments') return { kind: 'commitment', id: commitment };
  if (commitment && path === '/workspace/realization') return { kind: 'realization', id: commitment };
  return null;
}
