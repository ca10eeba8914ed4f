import type { ChangeFeed } from '../plugin-sets/change-feed';
import { AccessChanges, decodeAccessChange, encodeAccessChange, type AccessChange } from './access-changes';

describe('access changes on the change feed', () => {
  it('keeps tenant changes as the bare tenant id and prefixes the others', () => {
    const changes: AccessChange[] = [
      { kind: 'tenant', id: 'acme' },
      { kind: 'user', id: 'u-1' },
      { kind: 'session', id: 's:1' },
      { kind: 'api-key', id: 'k1' },
    ];
    expect(changes.map(encodeAccessChange)).toEqual(['acme', 'user:u-1', 'session:s:1', 'api-key:k1']);
    expect(changes.map(encodeAccessChange).map(decodeAccessChange)).toEqual(changes);
    expect(decodeAccessChange(undefined)).toEqual({ kind: 'all' });
    // Unknown kinds are not invented: they read as a tenant id (and match no tenant).
    expect(decodeAccessChange('other:x')).toEqual({ kind: 'tenant', id: 'other:x' });
  });

  it('applies a change here before the feed carries it, and applies what the feed brings', async () => {
    let deliver!: (message: string | undefined) => void;
    const sent: string[] = [];
    const feed: ChangeFeed = {
      publish: async (message) => void sent.push(message),
      subscribe: async (onChange) => void (deliver = onChange),
      close: async () => {},
    };
    const access = new AccessChanges(feed);
    const heard: AccessChange[] = [];
    access.on((change) => heard.push(change));
    await access.start();
    await access.publish({ kind: 'user', id: 'u-1' });
    expect(sent).toEqual(['user:u-1']);
    deliver('api-key:k9');
    deliver(undefined);
    expect(heard).toEqual([{ kind: 'user', id: 'u-1' }, { kind: 'api-key', id: 'k9' }, { kind: 'all' }]);
  });
});
