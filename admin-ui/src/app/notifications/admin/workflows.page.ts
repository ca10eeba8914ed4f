import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, resource, signal } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { MatDialog } from '@angular/material/dialog';
import { describeProblem, toProblem } from '../../api/problem';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { CHANNELS, CHANNEL_LABELS, NotificationsApi, type ChannelName, type RecipientRule, type Workflow } from '../notifications-api';
import { NotificationsAdminNav } from './notifications-admin-nav';

type RoleRule = Extract<RecipientRule, { role: unknown }>;
type Role = RoleRule['role'];

const ROLE_LABELS: Readonly<Record<Role, string>> = { viewer: 'Everyone', member: 'Members and admins', 'tenant-admin': 'Tenant admins', 'platform-admin': 'Platform admins' };

/** The editor's fields: recipients split into what a person picks (owner, a role, addresses, user ids). */
interface WorkflowForm {
  /** A workflow not saved yet: its id is typed (or made from the name) and it is created with POST. */
  isNew: boolean;
  id: string;
  name: string;
  eventPattern: string;
  owner: boolean;
  /** '' for nobody by role. */
  role: Role | '';
  emails: string;
  userIds: string;
  emailFrom: string;
  channels: Record<ChannelName, boolean>;
  template: string;
  category: string;
  critical: boolean;
  digestMinutes: string;
  enabled: boolean;
}

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);

/** "Big deals!" -> "big-deals": a workflow id made from its name when none is typed. */
export function workflowIdFrom(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63);
}

/** "Owner, tenant admins, ops@example.com" */
export function describeRecipients(rules: readonly RecipientRule[]): string {
  return rules
    .map((r) => {
      if ('owner' in r) return 'Owner of the object';
      if ('role' in r) return ROLE_LABELS[r.role];
      if ('email' in r) return r.email;
      if ('emailFrom' in r) return `Address in "${r.emailFrom}"`;
      return `User ${r.userId}`;
    })
    .join(', ');
}

/**
 * The tenant's workflows: which platform events notify whom, on which channels, with which template and category, and
 * whether they are critical. Create one ("New workflow"), edit one in place, delete the tenant's own ones, and put
 * first-party ones back as shipped ("Restore default").
 */
@Component({
  selector: 'vv-notification-workflows-page',
  imports: [FormsModule, RequestState, NotificationsAdminNav],
  templateUrl: './workflows.page.html',
  styleUrls: ['../../admin/self-service.scss', './notifications-admin.scss'],
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NotificationWorkflowsPage {
  private readonly api = inject(NotificationsApi);
  private readonly dialog = inject(MatDialog);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  protected readonly channelNames = CHANNELS;
  protected readonly labels = CHANNEL_LABELS;
  protected readonly roleLabels = ROLE_LABELS;
  protected readonly roles = (Object.keys(ROLE_LABELS) as Role[]).filter((r) => r !== 'platform-admin');
  protected readonly describeRecipients = describeRecipients;

  protected readonly data = resource({
    loader: async () => {
      const [workflows, defaults, templates] = await Promise.all([this.api.workflows(), this.api.defaultWorkflows(), this.api.templates()]);
      return {
        workflows: workflows.items,
        defaultIds: new Set(defaults.items.map((w) => w.id)),
        templateKeys: [...new Set(templates.items.map((t) => t.key))].sort(),
      };
    },
  });
  protected readonly problem = computed(() => (this.data.error() ? toProblem(this.data.error()) : undefined));

  protected readonly editing = signal<WorkflowForm | undefined>(undefined);
  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly fieldErrors = signal<readonly string[]>([]);

  protected create(): void {
    this.open({
      isNew: true,
      id: '',
      name: '',
      eventPattern: '',
      owner: false,
      role: '',
      emails: '',
      userIds: '',
      emailFrom: '',
      channels: { email: false, inbox: true, webhook: false, slack: false },
      template: this.data.value()?.templateKeys.includes('direct') ? 'direct' : (this.data.value()?.templateKeys[0] ?? ''),
      category: '',
      critical: false,
      digestMinutes: '0',
      enabled: true,
    });
  }

  protected edit(w: Workflow): void {
    const role = w.recipients.find((r): r is RoleRule => 'role' in r)?.role ?? '';
    this.open({
      isNew: false,
      id: w.id,
      name: w.name,
      eventPattern: w.eventPattern,
      owner: w.recipients.some((r) => 'owner' in r),
      role,
      emails: w.recipients.flatMap((r) => ('email' in r ? [r.email] : [])).join('\n'),
      userIds: w.recipients.flatMap((r) => ('userId' in r ? [r.userId] : [])).join('\n'),
      emailFrom: w.recipients.flatMap((r) => ('emailFrom' in r ? [r.emailFrom] : []))[0] ?? '',
      channels: Object.fromEntries(CHANNELS.map((c) => [c, w.channels.includes(c)])) as Record<ChannelName, boolean>,
      template: w.template,
      category: w.category,
      critical: w.critical,
      digestMinutes: String(w.digestMinutes),
      enabled: w.enabled,
    });
  }

  private open(form: WorkflowForm): void {
    this.editing.set(form);
    this.message.set(undefined);
    this.error.set(undefined);
    this.fieldErrors.set([]);
    setTimeout(() => this.host.nativeElement.querySelector<HTMLElement>('#workflow-name')?.focus());
  }

  protected cancel(): void {
    this.editing.set(undefined);
  }

  protected async save(f: WorkflowForm): Promise<void> {
    this.error.set(undefined);
    this.fieldErrors.set([]);
    const recipients: RecipientRule[] = [
      ...(f.owner ? [{ owner: true as const }] : []),
      ...(f.role ? [{ role: f.role }] : []),
      ...lines(f.emails).map((email) => ({ email })),
      ...lines(f.userIds).map((userId) => ({ userId })),
      ...(f.emailFrom.trim() ? [{ emailFrom: f.emailFrom.trim() }] : []),
    ];
    const channels = CHANNELS.filter((c) => f.channels[c]);
    const id = f.isNew ? f.id.trim() || workflowIdFrom(f.name) : f.id;
    const problems = [
      ...(f.name.trim() ? [] : ['Give the workflow a name.']),
      ...(f.isNew && !/^[a-z0-9][a-z0-9_.-]{0,62}$/.test(id) ? ['The id is lower-case letters, digits, ".", "_" and "-".'] : []),
      ...(f.eventPattern.trim() ? [] : ['Name the event (or a prefix ending in *).']),
      ...(f.category.trim() ? [] : ['Give the workflow a category.']),
      ...(recipients.length === 0 ? ['Choose at least one recipient.'] : []),
      ...(channels.length === 0 ? ['Choose at least one channel.'] : []),
      ...(/^\d+$/.test(f.digestMinutes.trim()) ? [] : ['The digest window is a whole number of minutes (0 sends at once).']),
    ];
    if (problems.length) {
      this.fieldErrors.set(problems);
      return;
    }
    this.busy.set(true);
    try {
      const workflow: Workflow = {
        id,
        name: f.name.trim(),
        eventPattern: f.eventPattern.trim(),
        recipients,
        channels,
        template: f.template,
        category: f.category.trim(),
        critical: f.critical,
        digestMinutes: Number(f.digestMinutes),
        enabled: f.enabled,
      };
      const saved = f.isNew ? await this.api.createWorkflow(workflow) : await this.api.saveWorkflow(workflow);
      this.editing.set(undefined);
      this.message.set(f.isNew ? `"${saved.name}" created.` : `"${saved.name}" saved.`);
      this.data.reload();
    } catch (e) {
      const problem = toProblem(e);
      this.error.set(describeProblem(problem));
      this.fieldErrors.set(problem.errors.map((p) => `${p.pointer.replace(/^\//, '') || 'Workflow'} ${p.message}`));
    } finally {
      this.busy.set(false);
    }
  }

  protected async remove(w: Workflow): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: `Delete "${w.name}"?`,
      message: `Events matching ${w.eventPattern} no longer notify anyone through it. Notifications already sent stay in the delivery log.`,
      confirmLabel: 'Delete workflow',
    });
    if (!ok) return;
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      await this.api.deleteWorkflow(w.id);
      if (this.editing()?.id === w.id) this.editing.set(undefined);
      this.message.set(`"${w.name}" deleted.`);
      this.data.reload();
    } catch (e) {
      this.error.set(describeProblem(toProblem(e)));
    }
  }

  protected async restore(ids?: string[], name?: string): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: ids ? `Restore "${name}"?` : 'Restore every default workflow?',
      message: ids
        ? 'Its event, recipients, channels, template and category go back to how they were shipped. Your changes to it are lost.'
        : 'Every first-party workflow goes back to how it was shipped, and deleted ones come back. Your own workflows stay as they are.',
      confirmLabel: ids ? 'Restore default' : 'Restore defaults',
    });
    if (!ok) return;
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      const restored = await this.api.restoreDefaults(ids);
      this.editing.set(undefined);
      this.message.set(restored.items.length === 1 ? `"${restored.items[0]!.name}" restored to its default.` : `${restored.items.length} default workflows restored.`);
      this.data.reload();
    } catch (e) {
      this.error.set(describeProblem(toProblem(e)));
    }
  }
}
