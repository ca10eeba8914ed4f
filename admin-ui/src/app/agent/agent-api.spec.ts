import { parseFrames } from './agent-api';

describe('parseFrames', () => {
  it('returns the complete frames and keeps a frame cut in the middle for the next read', () => {
    const first = parseFrames('event: token\ndata: {"delta":"Hel"}\n\nevent: token\ndata: {"del');
    expect(first.frames).toEqual([{ event: 'token', data: { delta: 'Hel' } }]);
    const second = parseFrames(`${first.rest}ta":"lo"}\n\nevent: done\ndata: {"message":{"id":"m"}}\n\n`);
    expect(second.frames).toEqual([
      { event: 'token', data: { delta: 'lo' } },
      { event: 'done', data: { message: { id: 'm' } } },
    ]);
    expect(second.rest).toBe('');
  });
});
