import { describeRecipients, workflowIdFrom } from './workflows.page';

describe('describeRecipients', () => {
  it('names each rule as a person would: the owner, a role, addresses, payload fields and user ids', () => {
    expect(describeRecipients([{ owner: true }, { role: 'tenant-admin' }, { email: 'ops@example.com' }, { emailFrom: 'email' }, { userId: 'u-1' }])).toBe(
      'Owner of the object, Tenant admins, ops@example.com, Address in "email", User u-1',
    );
  });
});

describe('workflowIdFrom', () => {
  it('makes an id the API accepts from a name', () => {
    expect(workflowIdFrom('Big deals!')).toBe('big-deals');
    expect(workflowIdFrom('  Ünter  Über 2 ')).toBe('unter-uber-2');
    expect(workflowIdFrom('x'.repeat(80))).toHaveLength(63);
  });
});
