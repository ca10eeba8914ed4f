import type { ConfigOption, FormlyFieldConfig } from '@ngx-formly/core';
import { ObjectType } from './object-type';

const props = (field: FormlyFieldConfig) => field.props ?? {};

/** Formly types and validation messages for forms generated from plugin config schemas. */
export const formlyConfig: ConfigOption = {
  types: [{ name: 'object', component: ObjectType }],
  validationMessages: [
    { name: 'required', message: 'This field is required.' },
    { name: 'type', message: (_e, field) => `Must be ${field.type === 'integer' ? 'a whole number' : `a ${String(field.type)}`}.` },
    { name: 'minLength', message: (_e, field) => `At least ${props(field)['minLength']} characters.` },
    { name: 'maxLength', message: (_e, field) => `At most ${props(field)['maxLength']} characters.` },
    { name: 'min', message: (_e, field) => `Must be at least ${props(field)['min']}.` },
    { name: 'max', message: (_e, field) => `Must be at most ${props(field)['max']}.` },
    { name: 'exclusiveMinimum', message: (_e, field) => `Must be more than ${props(field)['exclusiveMinimum']}.` },
    { name: 'exclusiveMaximum', message: (_e, field) => `Must be less than ${props(field)['exclusiveMaximum']}.` },
    { name: 'multipleOf', message: (_e, field) => `Must be a multiple of ${props(field)['step']}.` },
    { name: 'pattern', message: (_e, field) => `Must match the pattern ${String(props(field)['schemaPattern'] ?? props(field)['pattern'])}.` },
    { name: 'enum', message: 'Choose one of the listed values.' },
    { name: 'const', message: (_e, field) => `Must be ${JSON.stringify(props(field)['const'])}.` },
    { name: 'minItems', message: (_e, field) => `At least ${props(field)['minItems']} items.` },
    { name: 'maxItems', message: (_e, field) => `At most ${props(field)['maxItems']} items.` },
    { name: 'uniqueItems', message: 'Items must be unique.' },
    // Set from the kernel's problem+json `errors[]` (see ui/server-errors.ts): the server's own words.
    { name: 'server', message: (error) => String(error) },
  ],
};
