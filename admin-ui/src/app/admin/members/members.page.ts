import { ChangeDetectionStrategy, Component, computed, inject, input, resource, signal } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatDialog } from '@angular/material/dialog';
import { RouterLink } from '@angular/router';
import { DatePipe } from '@angular/common';
import { ApiClient } from '../../api/api-client';
import { describeProblem, toProblem } from '../../api/problem';
import { SessionService } from '../../session/session.service';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { applyServerErrors } from '../../ui/server-errors';

/** The roles a tenant admin can hand out, weakest first, with what each may do. */
export const TENANT_ROLES = [
  { id: 'viewer', label: 'Viewer', hint: 'reads models, reports and commitments' },
  { id: 'member', label: 'Member', hint: 'also builds models and records commitments' },
  { id: 'tenant-admin', label: 'Administrator', hint: 'also manages members, API keys and plugins' },
] as const;
export type TenantRole = (typeof TENANT_ROLES)[number]['id'];

export const roleLabel = (role: string): string => TENANT_ROLES.find((r) => r.id === role)?.label ?? role;

/** GET …/members item. */
interface Member {
  readonly userId: string;
  readonly email: string;
  readonly role: TenantRole;
}

/** GET …/invitations item (never its token). */
interface Invitation {
  readonly id: string;
  readonly email: string;
  readonly role: TenantRole;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/**
 * A tenant's members and pending invitations: invite by email with a role, change a member's role, remove a
 * member, withdraw an invitation (the kernel's `…/members` and `…/invitations` routes). Removing and demoting end
 * the member's sessions on the server; both ask first.
 */
@Component({
  selector: 'vv-members-page',
  imports: [ReactiveFormsModule, RouterLink, DatePipe, RequestState],
  templateUrl: './members.page.html',
  styleUrl: '../self-service.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class MembersPage {
  readonly tenantId = input.required<string>();

  private readonly api = inject(ApiClient);
  private readonly dialog = inject(MatDialog);
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly session = inject(SessionService);
  protected readonly roles = TENANT_ROLES;
  protected readonly roleLabel = roleLabel;

  private readonly base = computed(() => `/api/v1/admin/tenants/${encodeURIComponent(this.tenantId())}`);
  protected readonly members = resource({
    params: () => this.base(),
    loader: async ({ params, abortSignal }) => (await this.api.get<{ items: Member[] }>(`${params}/members`, undefined, abortSignal)).items,
  });
  protected readonly invitations = resource({
    params: () => this.base(),
    loader: async ({ params, abortSignal }) => (await this.api.get<{ items: Invitation[] }>(`${params}/invitations`, undefined, abortSignal)).items,
  });
  protected readonly membersProblem = computed(() => (this.members.error() ? toProblem(this.members.error()) : undefined));
  protected readonly invitationsProblem = computed(() => (this.invitations.error() ? toProblem(this.invitations.error()) : undefined));

  protected readonly busy = signal(false);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);

  protected readonly invite = this.fb.group({
    email: ['', [Validators.required, Validators.email, Validators.maxLength(320)]],
    role: ['member' as TenantRole, Validators.required],
  });

  protected isSelf(member: Member): boolean {
    return member.userId === this.session.user()?.id;
  }

  protected async sendInvite(): Promise<void> {
    if (this.invite.invalid) {
      this.invite.markAllAsTouched();
      return;
    }
    const { email, role } = this.invite.getRawValue();
    await this.run(async () => {
      const answer = await this.api.post<{ status?: string; email?: string }>(`${this.base()}/members`, { email, role });
      this.invite.reset({ email: '', role: 'member' });
      this.message.set(answer?.status === 'invited' ? `Invitation sent to ${email} as ${roleLabel(role)}.` : `${email} added as ${roleLabel(role)}.`);
      this.members.reload();
      this.invitations.reload();
    }, true);
  }

  protected async changeRole(member: Member, role: string): Promise<void> {
    if (role === member.role) return;
    const rank = (r: string) => TENANT_ROLES.findIndex((x) => x.id === r);
    if (rank(role) < rank(member.role)) {
      const ok = await confirm(this.dialog, {
        title: `Make ${member.email} ${roleLabel(role)}?`,
        message: 'A lower role signs them out everywhere; they sign in again with the new role.',
        confirmLabel: `Make ${roleLabel(role)}`,
        danger: true,
      });
      if (!ok) {
        this.members.reload();
        return;
      }
    }
    await this.run(async () => {
      await this.api.patch(`${this.base()}/members/${encodeURIComponent(member.userId)}`, { role });
      this.message.set(`${member.email} is now ${roleLabel(role)}.`);
      this.members.reload();
    });
  }

  protected async remove(member: Member): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: `Remove ${member.email}?`,
      message: 'They lose access to this tenant at once and are signed out everywhere. Their account and other tenants stay.',
      confirmLabel: 'Remove member',
      danger: true,
    });
    if (!ok) return;
    await this.run(async () => {
      await this.api.delete(`${this.base()}/members/${encodeURIComponent(member.userId)}`);
      this.message.set(`${member.email} was removed.`);
      this.members.reload();
    });
  }

  protected async withdraw(invitation: Invitation): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: `Withdraw the invitation to ${invitation.email}?`,
      message: 'The link in their email stops working.',
      confirmLabel: 'Withdraw invitation',
      danger: true,
    });
    if (!ok) return;
    await this.run(async () => {
      await this.api.delete(`${this.base()}/invitations/${encodeURIComponent(invitation.id)}`);
      this.message.set(`The invitation to ${invitation.email} was withdrawn.`);
      this.invitations.reload();
    });
  }

  private async run(work: () => Promise<void>, formErrors = false): Promise<void> {
    this.busy.set(true);
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      await work();
    } catch (error) {
      const problem = toProblem(error);
      const unmatched = formErrors ? applyServerErrors(this.invite, problem.errors) : [];
      if (!formErrors || unmatched.length > 0 || problem.errors.length === 0) this.error.set(describeProblem(problem));
    } finally {
      this.busy.set(false);
    }
  }
}
