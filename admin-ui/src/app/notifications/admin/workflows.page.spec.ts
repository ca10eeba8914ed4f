import { describeRecipients } from './workflows.page';

describe('describeRecipients', () => {
  it('names each rule as a person would: the owner, a role, addresses, payload fields and user ids', () => {
    expect(describeRecipients([{ owner: true }, { role: 'tenant-admin' }, { email: 'ops@example.com' }, { emailFrom: 'email' }, { userId: 'u-1' }])).toBe(
      'Owner of the object, Tenant admins, ops@example.com, Address in "email", User u-1',
    );
  });
});
