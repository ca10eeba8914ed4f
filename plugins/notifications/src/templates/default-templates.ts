import type { TemplateParts } from './template-engine';

/** A first-party template and the sample data its preview uses (the payload its event carries). */
export interface DefaultTemplate extends TemplateParts {
  readonly sampleData: Readonly<Record<string, unknown>>;
}

const footer = '{% if unsubscribeUrl %}<p style="color:#666;font-size:12px"><a href="{{ unsubscribeUrl }}">Unsubscribe from {{ category }}</a></p>{% endif %}';
const textFooter = '{% if unsubscribeUrl %}\n\nUnsubscribe from {{ category }}: {{ unsubscribeUrl }}{% endif %}';
const milestone = {
  commitmentId: 'c-1',
  milestoneId: 'ms-1',
  title: 'Ticket volume down 20%',
  metric: 'tickets',
  dueDate: '2026-06-30',
  target: 800,
  actual: 950,
  projected: 900,
  asOf: '2026-05-01',
};

/** Built-in templates (locale `en`) for the first-party workflows and for messages sent with a subject and body. */
export const defaultTemplates: Readonly<Record<string, DefaultTemplate>> = {
  'commitment-at-risk': {
    subject: 'At risk: {{ data.title }}',
    text:
      'Milestone "{{ data.title }}" of commitment {{ data.commitmentId }} is at risk: projected {{ data.projected }} against a target of {{ data.target }} by {{ data.dueDate }}.' +
      textFooter,
    html:
      '<p>Milestone <strong>{{ data.title }}</strong> of commitment {{ data.commitmentId }} is <strong>at risk</strong>: projected {{ data.projected }} against a target of {{ data.target }} by {{ data.dueDate }}.</p>' +
      footer,
    sampleData: milestone,
  },
  'milestone-missed': {
    subject: 'Missed: {{ data.title }}',
    text:
      'Milestone "{{ data.title }}" of commitment {{ data.commitmentId }} was due {{ data.dueDate }} and missed its target of {{ data.target }} (actual {{ data.actual }}).' +
      textFooter,
    html:
      '<p>Milestone <strong>{{ data.title }}</strong> of commitment {{ data.commitmentId }} was due {{ data.dueDate }} and <strong>missed</strong> its target of {{ data.target }} (actual {{ data.actual }}).</p>' +
      footer,
    sampleData: milestone,
  },
  'milestone-achieved': {
    subject: 'Reached: {{ data.title }}',
    text: 'Milestone "{{ data.title }}" of commitment {{ data.commitmentId }} reached its target of {{ data.target }}.' + textFooter,
    html: '<p>Milestone <strong>{{ data.title }}</strong> of commitment {{ data.commitmentId }} reached its target of {{ data.target }}.</p>' + footer,
    sampleData: milestone,
  },
  'invoice-finalized': {
    subject: 'Invoice {{ data.number }} finalized',
    text: 'Invoice {{ data.number }} for customer {{ data.customerId }} was finalized: {{ data.totalCents | divided_by: 100.0 }} {{ data.currency }}.' + textFooter,
    html:
      '<p>Invoice <strong>{{ data.number }}</strong> for customer {{ data.customerId }} was finalized: {{ data.totalCents | divided_by: 100.0 }} {{ data.currency }}.</p>' + footer,
    sampleData: { invoiceId: 'inv-1', number: 'INV-2026-000001', customerId: 'c-1', totalCents: 24841, currency: 'USD' },
  },
  'invoice-paid': {
    subject: 'Invoice {{ data.number }} paid',
    text: 'Invoice {{ data.number }} was paid: {{ data.paidCents | divided_by: 100.0 }} {{ data.currency }}.' + textFooter,
    html: '<p>Invoice <strong>{{ data.number }}</strong> was paid: {{ data.paidCents | divided_by: 100.0 }} {{ data.currency }}.</p>' + footer,
    sampleData: { invoiceId: 'inv-1', number: 'INV-2026-000001', customerId: 'c-1', paidCents: 24841, currency: 'USD' },
  },
  'payment-failed': {
    subject: 'Payment failed for invoice {{ data.number }}',
    text: 'Payment attempt {{ data.attempt }} for invoice {{ data.number }} failed: {{ data.reason }}.',
    html: '<p>Payment attempt {{ data.attempt }} for invoice <strong>{{ data.number }}</strong> failed: {{ data.reason }}.</p>',
    sampleData: { invoiceId: 'inv-1', number: 'INV-2026-000001', customerId: 'c-1', attempt: 1, reason: 'card_declined' },
  },
  'plugin-failed': {
    subject: 'Plugin {{ data.pluginId }} failed',
    text: 'Plugin {{ data.pluginId }} failed: {{ data.reason }}.',
    html: '<p>Plugin <strong>{{ data.pluginId }}</strong> failed: {{ data.reason }}.</p>',
    sampleData: { pluginId: 'value-executor', reason: 'start timed out' },
  },
  'member-invited': {
    subject: 'You are invited to {{ data.tenantName }} on ValueVerse',
    text: 'You were invited to {{ data.tenantName }} as {{ data.role }}. Accept: {{ data.acceptPath }}?token={{ data.token }}',
    html: '<p>You were invited to <strong>{{ data.tenantName }}</strong> as {{ data.role }}.</p><p><a href="{{ data.acceptPath }}?token={{ data.token }}">Accept the invitation</a></p>',
    sampleData: { email: 'new@example.com', role: 'member', tenantName: 'Acme', acceptPath: '/invitations/accept', token: 'tok' },
  },
  'auth-lockout': {
    subject: 'Sign-in locked for {{ data.email }}',
    text: 'Sign-in for {{ data.email }} was locked after {{ data.failures }} failed attempts until {{ data.lockedUntil }}.',
    html: '<p>Sign-in for <strong>{{ data.email }}</strong> was locked after {{ data.failures }} failed attempts until {{ data.lockedUntil }}.</p>',
    sampleData: { email: 'someone@example.com', userId: 'user-1', failures: 6, lockedUntil: '2026-01-01T00:15:00Z' },
  },
  // What a send without a template uses: the caller's subject and body, as data.
  direct: {
    subject: '{{ data.subject }}',
    text: '{{ data.body }}' + textFooter,
    html: '<p>{{ data.body | newline_to_br }}</p>' + footer,
    sampleData: { subject: 'Subject', body: 'Body' },
  },
  digest: {
    subject: '{{ data.count }} {{ category }} notifications',
    text: '{% for item in data.items %}- {{ item.subject }}\n{% endfor %}' + textFooter,
    html: '<ul>{% for item in data.items %}<li>{{ item.subject }}</li>{% endfor %}</ul>' + footer,
    sampleData: { count: 2, items: [{ subject: 'One' }, { subject: 'Two' }] },
  },
};
