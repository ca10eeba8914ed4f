import { ChangeDetectionStrategy, Component, inject, output, signal, viewChild } from '@angular/core';
import { FormGroupDirective, NonNullableFormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatDialog } from '@angular/material/dialog';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { describeProblem, toProblem, type Problem } from '../../api/problem';
import { confirm } from '../../ui/confirm-dialog';
import { RequestState } from '../../ui/request-state';
import { applyServerErrors } from '../../ui/server-errors';
import { MarketplaceApi, type TrustedKey, type TrustLevel } from './marketplace-api';

/**
 * The publisher keys this deployment trusts: a package signed by any other key is refused. Add one (name, Ed25519
 * public key PEM, trust level) or stop trusting it (installed packages keep running).
 */
@Component({
  selector: 'vv-trusted-keys',
  imports: [ReactiveFormsModule, MatButtonModule, MatFormFieldModule, MatInputModule, RequestState],
  templateUrl: './trusted-keys.html',
  styles: `
    h2 {
      margin-top: 0;
    }
    .add {
      display: grid;
      grid-template-columns: minmax(0, 1fr) minmax(0, 14rem);
      gap: 0 1rem;
      align-items: start;
    }
    .add .pem {
      grid-column: 1 / -1;
    }
    .add .submit {
      margin-top: 0.75rem;
    }
    .add textarea {
      font-family: ui-monospace, monospace;
      font-size: 0.85rem;
    }
    @media (max-width: 600px) {
      .add {
        grid-template-columns: minmax(0, 1fr);
      }
    }
    .status-msg {
      color: var(--vv-ok);
    }
    .error {
      color: var(--vv-danger);
    }
    .actions {
      white-space: nowrap;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class TrustedKeys {
  private readonly api = inject(MarketplaceApi);
  private readonly dialog = inject(MatDialog);
  private readonly fb = inject(NonNullableFormBuilder);

  /** The keys after every load, so the page can mark signers as trusted. */
  readonly keysChange = output<readonly TrustedKey[]>();

  protected readonly keys = signal<readonly TrustedKey[]>([]);
  protected readonly loading = signal(false);
  protected readonly loaded = signal(false);
  protected readonly problem = signal<Problem | undefined>(undefined);
  protected readonly adding = signal(false);
  protected readonly busyId = signal<string | undefined>(undefined);
  protected readonly message = signal<string | undefined>(undefined);
  protected readonly error = signal<string | undefined>(undefined);

  protected readonly form = this.fb.group({
    name: ['', [Validators.required, Validators.maxLength(200)]],
    trust: ['in-process' as TrustLevel, Validators.required],
    publicKeyPem: [
      '',
      [Validators.required, Validators.minLength(40), Validators.maxLength(4000), Validators.pattern(/-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----/)],
    ],
  });

  /** Its `resetForm` also forgets the submit, so an emptied form does not show "required" errors. */
  private readonly formDirective = viewChild.required(FormGroupDirective);

  constructor() {
    void this.load();
  }

  protected async load(): Promise<void> {
    this.loading.set(true);
    this.problem.set(undefined);
    try {
      const { items } = await this.api.trustedKeys();
      this.keys.set(items);
      this.loaded.set(true);
      this.keysChange.emit(items);
    } catch (error) {
      this.problem.set(toProblem(error));
    } finally {
      this.loading.set(false);
    }
  }

  protected async add(): Promise<void> {
    this.message.set(undefined);
    this.error.set(undefined);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      return;
    }
    this.adding.set(true);
    try {
      const value = this.form.getRawValue();
      const key = await this.api.trustKey({ name: value.name.trim(), trust: value.trust, publicKeyPem: value.publicKeyPem.trim() });
      this.formDirective().resetForm({ name: '', trust: 'in-process', publicKeyPem: '' });
      this.message.set(`Key ${key.keyId} (“${key.name}”) is trusted.`);
      await this.load();
    } catch (error) {
      const problem = toProblem(error);
      const unmatched = applyServerErrors(this.form, problem.errors);
      this.error.set(problem.status === 409 ? 'That key is already trusted.' : unmatched.length ? unmatched.join(' ') : describeProblem(problem));
    } finally {
      this.adding.set(false);
    }
  }

  protected async remove(key: TrustedKey): Promise<void> {
    const ok = await confirm(this.dialog, {
      title: `Stop trusting “${key.name}”?`,
      message: `Packages signed by key ${key.keyId} can no longer be installed, upgraded or rolled back. Plugins already installed from it keep running.`,
      confirmLabel: 'Stop trusting',
      danger: true,
    });
    if (!ok) return;
    this.busyId.set(key.keyId);
    this.message.set(undefined);
    this.error.set(undefined);
    try {
      await this.api.removeKey(key.keyId);
      this.message.set(`Key ${key.keyId} is no longer trusted.`);
      await this.load();
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    } finally {
      this.busyId.set(undefined);
    }
  }
}
