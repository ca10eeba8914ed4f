import { recipientKey } from './deliveries.page';

describe('recipientKey', () => {
  it('turns what an admin types into the log’s recipient key', () => {
    expect(recipientKey('  ')).toBeUndefined();
    expect(recipientKey('4cee1bb8-cdb9-4763-83a8-2cd859da7769')).toBe('user:4cee1bb8-cdb9-4763-83a8-2cd859da7769');
    expect(recipientKey(' ops@example.com ')).toBe('email:ops@example.com');
    expect(recipientKey('user:u-1')).toBe('user:u-1');
    expect(recipientKey('email:ops@example.com')).toBe('email:ops@example.com');
  });
});
