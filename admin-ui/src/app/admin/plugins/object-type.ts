import { ChangeDetectionStrategy, Component } from '@angular/core';
import { FieldType, FormlyField, type FieldTypeConfig } from '@ngx-formly/core';

/** Formly's `object` type for JSON Schema objects: a fieldset with the schema's title and description. */
@Component({
  selector: 'vv-formly-object',
  imports: [FormlyField],
  template: `
    <fieldset [class.root]="!field.key">
      @if (props.label) {
        <legend>{{ props.label }}</legend>
      }
      @if (props.description) {
        <p class="description">{{ props.description }}</p>
      }
      @for (f of field.fieldGroup; track $index) {
        <formly-field [field]="f" />
      }
    </fieldset>
  `,
  styles: `
    fieldset {
      border: 1px solid var(--vv-border);
      border-radius: 8px;
      padding: 0.5rem 1rem;
      margin: 0 0 1rem;
    }
    fieldset.root {
      border: 0;
      padding: 0;
      margin: 0;
    }
    legend {
      font-weight: 500;
      padding: 0 0.25rem;
    }
    .description {
      color: var(--vv-muted);
      margin-top: 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ObjectType extends FieldType<FieldTypeConfig> {}
