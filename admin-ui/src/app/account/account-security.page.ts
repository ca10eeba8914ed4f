import { ChangeDetectionStrategy, Component, ElementRef, computed, inject, resource, signal, viewChild } from '@angular/core';
import { NonNullableFormBuilder, ReactiveFormsModule, Validators, type AbstractControl, type ValidationErrors } from '@angular/forms';
import { Router } from '@angular/router';
import { ApiClient } from '../api/api-client';
import { describeProblem, toProblem, type Problem } from '../api/problem';
import { SessionService } from '../session/session.service';
import { QrCode } from '../ui/qr-code';
import { RequestState } from '../ui/request-state';
import { AccountProfile } from './account-profile';

/** GET /api/v1/me/totp. */
export interface TotpStatus {
  readonly enabled: boolean;
  /** An enrolment was started (POST /me/totp) but not confirmed. */
  readonly pending: boolean;
  /** Unused recovery codes (0 while the factor is off). */
  readonly recoveryCodesLeft: number;
}

/** POST /api/v1/me/totp: the new secret, shown once. */
export interface TotpEnrolment {
  readonly secret: string;
  readonly otpauthUri: string;
}

const CODE = [Validators.required, Validators.pattern(/^\d{6}$/)];

/** The new password typed twice must match. */
function repeatMatches(group: AbstractControl): ValidationErrors | null {
  const { newPassword, repeat } = group.value as { newPassword?: string; repeat?: string };
  const control = group.get('repeat');
  if (newPassword && repeat && newPassword !== repeat) {
    control?.setErrors({ ...(control.errors ?? {}), mismatch: true });
  } else if (control?.hasError('mismatch')) {
    const rest: ValidationErrors = { ...control.errors };
    delete rest['mismatch'];
    control.setErrors(Object.keys(rest).length ? rest : null);
  }
  return null;
}

/**
 * Account security: the user's TOTP second factor (RFC 6238) through the kernel's `/api/v1/me/totp` routes. Turning
 * it on shows the secret's `otpauth://` URI as a QR code to scan, and the secret and URI as text to type or paste
 * into an authenticator app, then asks for a current code; turning it off asks for a current code too.
 */
@Component({
  selector: 'vv-account-security-page',
  imports: [ReactiveFormsModule, RequestState, QrCode, AccountProfile],
  templateUrl: './account-security.page.html',
  styleUrl: './account-security.page.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AccountSecurityPage {
  private readonly api = inject(ApiClient);
  private readonly fb = inject(NonNullableFormBuilder);
  protected readonly session = inject(SessionService);
  private readonly codeInput = viewChild<ElementRef<HTMLInputElement>>('codeInput');

  protected readonly status = resource({
    loader: async ({ abortSignal }): Promise<TotpStatus> => {
      const body = await this.api.get<Partial<TotpStatus>>('/api/v1/me/totp', undefined, abortSignal);
      return { enabled: body?.enabled === true, pending: body?.pending === true, recoveryCodesLeft: body?.recoveryCodesLeft ?? 0 };
    },
  });
  protected readonly statusProblem = computed(() => {
    const e = this.status.error();
    return e ? toProblem(e) : undefined;
  });
  /** value() throws while the resource is in error: read it through hasValue(). */
  protected readonly current = computed(() => (this.status.hasValue() ? this.status.value() : undefined));

  protected readonly enrolment = signal<TotpEnrolment | undefined>(undefined);
  /** Recovery codes just made (at enrolment or regenerated): shown this once, never fetched again. */
  protected readonly recoveryCodes = signal<readonly string[] | undefined>(undefined);
  protected readonly recoveryForm = this.fb.group({ code: ['', CODE] });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly notice = signal<string | undefined>(undefined);

  private readonly router = inject(Router);
  protected readonly confirmForm = this.fb.group({ code: ['', CODE] });
  protected readonly passwordForm = this.fb.group(
    {
      currentPassword: ['', Validators.required],
      newPassword: ['', [Validators.required, Validators.minLength(12), Validators.maxLength(1024)]],
      repeat: ['', Validators.required],
    },
    { validators: repeatMatches },
  );
  protected readonly passwordError = signal<string | undefined>(undefined);

  /**
   * POST /me/password: the kernel ends every session of the user, this one too, so the console signs in again with
   * the new password and comes back here.
   */
  protected async changePassword(): Promise<void> {
    if (this.passwordForm.invalid) {
      this.passwordForm.markAllAsTouched();
      return;
    }
    const { currentPassword, newPassword } = this.passwordForm.getRawValue();
    this.busy.set(true);
    this.passwordError.set(undefined);
    try {
      await this.api.post('/api/v1/me/password', { currentPassword, newPassword });
      this.session.expire('Your password was changed and every session was signed out. Sign in with the new password.');
      await this.router.navigate(['/sign-in'], { queryParams: { returnUrl: '/account/security' } });
    } catch (error) {
      const problem = toProblem(error);
      let matched = false;
      for (const field of problem.errors) {
        const control = this.passwordForm.get(field.pointer.slice(1));
        if (!control) continue;
        control.setErrors({ server: `This ${field.message}.` });
        control.markAsTouched();
        matched = true;
      }
      if (!matched) this.passwordError.set(describeProblem(problem));
    } finally {
      this.busy.set(false);
    }
  }
  protected readonly disableForm = this.fb.group({ code: ['', CODE] });

  /** POST /me/totp: a new secret (replacing an unfinished enrolment). */
  protected async start(): Promise<void> {
    await this.run(async () => {
      const enrolment = await this.api.post<TotpEnrolment>('/api/v1/me/totp');
      this.enrolment.set(enrolment);
      this.confirmForm.reset();
      // The code field is what the user needs next; the secret above it is read by the screen reader on the way.
      setTimeout(() => this.codeInput()?.nativeElement.focus());
    });
  }

  protected cancel(): void {
    this.enrolment.set(undefined);
    this.error.set(undefined);
    this.confirmForm.reset();
    this.status.reload();
  }

  /** POST /me/totp/confirm with a current code: the factor is on. */
  protected async confirm(): Promise<void> {
    if (this.confirmForm.invalid) {
      this.confirmForm.markAllAsTouched();
      return;
    }
    await this.run(async () => {
      const answer = await this.api.post<{ recoveryCodes?: string[] }>('/api/v1/me/totp/confirm', { code: this.confirmForm.getRawValue().code });
      this.enrolment.set(undefined);
      this.confirmForm.reset();
      const codes = answer?.recoveryCodes ?? [];
      this.recoveryCodes.set(codes);
      this.status.set({ enabled: true, pending: false, recoveryCodesLeft: codes.length });
      this.notice.set('Two-step verification is on. Signing in now asks for a code from your authenticator app. Save your recovery codes below.');
    }, this.confirmForm.controls.code);
  }

  /** POST /me/totp/disable with a current code: the factor is off. */
  protected async disable(): Promise<void> {
    if (this.disableForm.invalid) {
      this.disableForm.markAllAsTouched();
      return;
    }
    await this.run(async () => {
      await this.api.post('/api/v1/me/totp/disable', { code: this.disableForm.getRawValue().code });
      this.disableForm.reset();
      this.recoveryCodes.set(undefined);
      this.status.set({ enabled: false, pending: false, recoveryCodesLeft: 0 });
      this.notice.set('Two-step verification is off. Signing in asks for your password only.');
    }, this.disableForm.controls.code);
  }

  /** POST /me/totp/recovery-codes with a current code: ten new codes, the old ones void. */
  protected async regenerate(): Promise<void> {
    if (this.recoveryForm.invalid) {
      this.recoveryForm.markAllAsTouched();
      return;
    }
    await this.run(async () => {
      const answer = await this.api.post<{ recoveryCodes: string[] }>('/api/v1/me/totp/recovery-codes', { code: this.recoveryForm.getRawValue().code });
      this.recoveryForm.reset();
      this.recoveryCodes.set(answer.recoveryCodes);
      this.status.set({ enabled: true, pending: false, recoveryCodesLeft: answer.recoveryCodes.length });
      this.notice.set('New recovery codes made: the old ones no longer work. Save the new ones below.');
    }, this.recoveryForm.controls.code);
  }

  /** The codes as a text file, to keep somewhere safe. */
  protected downloadCodes(): void {
    const codes = this.recoveryCodes();
    if (!codes) return;
    const text = `ValueVerse recovery codes for ${this.session.user()?.email ?? 'your account'}\nEach code signs in once in place of an authenticator code.\n\n${codes.join('\n')}\n`;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = 'valueverse-recovery-codes.txt';
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  protected hideCodes(): void {
    this.recoveryCodes.set(undefined);
  }

  private async run(work: () => Promise<void>, codeControl?: { setErrors(e: Record<string, unknown> | null): void; markAsTouched(): void }): Promise<void> {
    this.busy.set(true);
    this.error.set(undefined);
    this.notice.set(undefined);
    try {
      await work();
    } catch (error) {
      const problem: Problem = toProblem(error);
      const codeProblem = problem.errors.find((e) => e.pointer === '/code');
      if (codeProblem && codeControl) {
        // The kernel says "the one-time code is wrong or was already used": a sentence of its own here.
        codeControl.setErrors({ server: `${codeProblem.message.charAt(0).toUpperCase()}${codeProblem.message.slice(1)}. Enter the code your app shows now.` });
        codeControl.markAsTouched();
      } else {
        this.error.set(describeProblem(problem));
      }
    } finally {
      this.busy.set(false);
    }
  }
}
