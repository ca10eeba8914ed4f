import { ChangeDetectionStrategy, Component, ElementRef, inject, signal, viewChild } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { ActivatedRoute, Router } from '@angular/router';
import { describeProblem, toProblem } from '../api/problem';
import { WorkspacePlugins } from '../shell/workspace-plugins';
import type { TenantMembership } from './session';
import { SessionService } from './session.service';

type Step = 'credentials' | 'totp' | 'tenant';

/** Sign-in: email and password, then a TOTP code when the account has one, then the tenant when there are several. */
@Component({
  selector: 'vv-sign-in-page',
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, MatProgressBarModule],
  templateUrl: './sign-in.page.html',
  styleUrl: './sign-in.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class SignInPage {
  private readonly session = inject(SessionService);
  private readonly plugins = inject(WorkspacePlugins);
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly fb = inject(NonNullableFormBuilder);
  private readonly totpInput = viewChild<ElementRef<HTMLInputElement>>('totpInput');
  private readonly tenantHeading = viewChild<ElementRef<HTMLElement>>('tenantHeading');

  protected readonly step = signal<Step>('credentials');
  protected readonly busy = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly notice = signal<string | undefined>(this.session.endedBecause());
  protected readonly tenants = signal<readonly TenantMembership[]>([]);

  protected readonly credentials = this.fb.group({
    email: ['', [Validators.required, Validators.email]],
    password: ['', [Validators.required]],
  });
  protected readonly totpForm = this.fb.group({ code: ['', [Validators.required, Validators.pattern(/^\d{6}$/)]] });
  protected readonly totp = this.totpForm.controls.code;
  /** On the second step: a recovery code instead of the authenticator's code. */
  protected readonly useRecovery = signal(false);
  protected readonly recoveryForm = this.fb.group({ code: ['', [Validators.required, Validators.pattern(/^\s*[A-Za-z0-9]{5}-?[A-Za-z0-9]{5}\s*$/)]] });
  protected readonly recovery = this.recoveryForm.controls.code;
  private readonly recoveryInput = viewChild<ElementRef<HTMLInputElement>>('recoveryInput');

  protected async submitCredentials(): Promise<void> {
    if (this.credentials.invalid) {
      this.credentials.markAllAsTouched();
      return;
    }
    await this.attempt();
  }

  protected async submitTotp(): Promise<void> {
    if (this.totp.invalid) {
      this.totp.markAsTouched();
      return;
    }
    await this.attempt(this.totp.value);
  }

  protected async submitRecovery(): Promise<void> {
    if (this.recovery.invalid) {
      this.recovery.markAsTouched();
      return;
    }
    await this.attempt(undefined, this.recovery.value.trim());
  }

  /** Switches the second step between the authenticator's code and a recovery code, and moves focus to its field. */
  protected toggleRecovery(): void {
    this.useRecovery.update((on) => !on);
    this.error.set(undefined);
    setTimeout(() => (this.useRecovery() ? this.recoveryInput() : this.totpInput())?.nativeElement.focus());
  }

  protected backToCredentials(): void {
    this.totp.reset();
    this.recovery.reset();
    this.useRecovery.set(false);
    this.error.set(undefined);
    this.step.set('credentials');
  }

  protected async chooseTenant(tenant: TenantMembership): Promise<void> {
    this.busy.set(true);
    this.error.set(undefined);
    try {
      if (tenant.id !== this.session.tenant()?.id) {
        if (this.session.canRefresh()) {
          await this.session.switchTenant(tenant.id);
        } else {
          // No refresh token to switch with (older servers): sign in again naming the tenant.
          const { email, password } = this.credentials.getRawValue();
          await this.session.signIn({ email, password, tenantId: tenant.id, totp: this.totp.value || undefined });
        }
      }
      await this.enter();
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    } finally {
      this.busy.set(false);
    }
  }

  private async attempt(totp?: string, recoveryCode?: string): Promise<void> {
    this.busy.set(true);
    this.error.set(undefined);
    this.notice.set(undefined);
    try {
      const { email, password } = this.credentials.getRawValue();
      const result = await this.session.signIn({ email, password, totp, recoveryCode });
      if (result.status === 'mfa-required') {
        if (totp) this.error.set(result.message || 'That code is not valid. Try the current one.');
        this.step.set('totp');
        setTimeout(() => this.totpInput()?.nativeElement.focus());
        return;
      }
      if (result.session.tenants.length > 1) {
        this.tenants.set(result.session.tenants);
        this.step.set('tenant');
        setTimeout(() => this.tenantHeading()?.nativeElement.focus());
        return;
      }
      await this.enter();
    } catch (error) {
      const problem = toProblem(error);
      // With a code, the password was just accepted: the server's 401 (VV_UNAUTHENTICATED) is about the code.
      if (problem.code === 'VV_TOTP_RECOVERY_CODE_INVALID') this.error.set('That recovery code is not valid or was used already.');
      else if (problem.status === 401) this.error.set(totp ? 'That code is not valid. Try the current one.' : 'Email or password is wrong.');
      else this.error.set(describeProblem(problem));
    } finally {
      this.busy.set(false);
    }
  }

  private async enter(): Promise<void> {
    this.credentials.controls.password.reset();
    await this.plugins.load();
    const returnUrl = this.route.snapshot.queryParamMap.get('returnUrl');
    // Only same-app paths: an absolute URL here would be an open redirect.
    const target = returnUrl && returnUrl.startsWith('/') && !returnUrl.startsWith('//') && !returnUrl.startsWith('/sign-in') ? returnUrl : '/workspace';
    await this.router.navigateByUrl(target);
  }
}
