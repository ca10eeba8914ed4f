import { ChangeDetectionStrategy, Component, ElementRef, computed, effect, inject, input, resource, signal } from '@angular/core';
import { FormGroup, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { FormlyForm, type FormlyFieldConfig, type FormlyFormOptions } from '@ngx-formly/core';
import { FormlyJsonschema } from '@ngx-formly/core/json-schema';
import { AdminApi, type TenantPlugin } from '../../api/admin-api';
import { describeProblem, toProblem } from '../../api/problem';
import { RequestState } from '../../ui/request-state';
import { applyServerErrors } from '../../ui/server-errors';
import { configFields, configModel, configPayload } from './config-fields';

/**
 * A plugin's per-tenant configuration, as a form generated from its JSON Schema. The kernel validates again on save;
 * its field problems land on the fields they point at. Secrets are write-only.
 */
@Component({
  selector: 'vv-plugin-config-page',
  imports: [ReactiveFormsModule, RouterLink, MatButtonModule, FormlyForm, RequestState],
  templateUrl: './plugin-config.page.html',
  styles: `
    form {
      max-width: 640px;
    }
    .actions {
      display: flex;
      gap: 0.75rem;
      margin-top: 0.5rem;
    }
    .ok-msg {
      color: var(--vv-ok);
    }
    .summary {
      color: var(--vv-danger);
      background: var(--vv-danger-bg);
      padding: 0.5rem 0.75rem;
      border-radius: 6px;
    }
    .summary ul {
      margin: 0.25rem 0 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class PluginConfigPage {
  private readonly admin = inject(AdminApi);
  private readonly jsonschema = inject(FormlyJsonschema);
  private readonly host = inject<ElementRef<HTMLElement>>(ElementRef);

  readonly tenantId = input.required<string>();
  readonly pluginId = input.required<string>();

  protected readonly plugin = resource({
    params: () => ({ tenantId: this.tenantId(), pluginId: this.pluginId() }),
    loader: async ({ params }): Promise<TenantPlugin> => {
      const list = await this.admin.tenantPlugins(params.tenantId);
      const found = list.items.find((p) => p.pluginId === params.pluginId);
      if (!found) throw new Error(`No plugin “${params.pluginId}” is installed.`);
      return found;
    },
  });

  protected form = new FormGroup({});
  protected model: Record<string, unknown> = {};
  protected options: FormlyFormOptions = {};
  protected readonly fields = signal<FormlyFieldConfig[]>([]);
  protected readonly saving = signal(false);
  protected readonly saved = signal<string | undefined>(undefined);
  protected readonly summary = signal<string[]>([]);
  protected readonly schema = computed(() => (this.plugin.hasValue() ? this.plugin.value().configSchema : undefined));

  constructor() {
    effect(() => {
      if (!this.plugin.hasValue()) return;
      const plugin = this.plugin.value();
      if (!plugin.configSchema) return;
      const { model, stored } = configModel(plugin.config, plugin.configSchema);
      this.form = new FormGroup({});
      this.model = model;
      this.options = {};
      this.fields.set(configFields(this.jsonschema, plugin.configSchema, stored));
    });
  }

  protected problem() {
    const e = this.plugin.error();
    return e ? toProblem(e) : undefined;
  }

  protected async save(): Promise<void> {
    const plugin = this.plugin.value();
    const schema = plugin?.configSchema;
    if (!plugin || !schema) return;
    this.saved.set(undefined);
    this.summary.set([]);
    if (this.form.invalid) {
      this.form.markAllAsTouched();
      this.summary.set(['Some fields need attention.']);
      this.focusFirstInvalid();
      return;
    }
    this.saving.set(true);
    try {
      const plan = await this.admin.changePlugin(this.tenantId(), plugin.pluginId, { config: configPayload(this.model, schema) });
      const updated = plan.plugins.find((p) => p.pluginId === plugin.pluginId);
      if (updated) this.plugin.set(updated);
      this.saved.set('Configuration saved.');
    } catch (error) {
      const problem = toProblem(error);
      const unmatched = applyServerErrors(this.form, problem.errors);
      this.summary.set(unmatched.length || problem.errors.length === 0 ? [describeProblem(problem), ...unmatched] : ['Some fields need attention.']);
      this.focusFirstInvalid();
    } finally {
      this.saving.set(false);
    }
  }

  private focusFirstInvalid(): void {
    setTimeout(() => this.host.nativeElement.querySelector<HTMLElement>('input.ng-invalid, select.ng-invalid, textarea.ng-invalid, mat-select.ng-invalid')?.focus());
  }
}
