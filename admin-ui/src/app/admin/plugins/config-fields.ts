import type { FormlyFieldConfig } from '@ngx-formly/core';
import type { FormlyJsonschema } from '@ngx-formly/core/json-schema';
import type { ConfigSchema } from '../../api/admin-api';

/** What the kernel sends instead of a stored secret. */
export const SECRET_MASK = '••••';

type SchemaNode = Readonly<Record<string, unknown>>;

/** Property names marked `x-secret: true` at the top level of a config schema. */
export function secretKeys(schema: ConfigSchema): string[] {
  return Object.entries(schema.properties ?? {})
    .filter(([, property]) => property['x-secret'] === true)
    .map(([key]) => key);
}

/**
 * The form model for a stored config: secrets are write-only, so a masked value becomes an empty field (and is
 * remembered as "stored" to say so next to the field).
 */
export function configModel(config: Readonly<Record<string, unknown>>, schema: ConfigSchema): { model: Record<string, unknown>; stored: Set<string> } {
  // A deep copy (config is JSON): the form edits it in place.
  const model = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  const stored = new Set<string>();
  for (const key of secretKeys(schema)) {
    if (model[key] !== undefined) stored.add(key);
    delete model[key];
  }
  return { model, stored };
}

/**
 * The body to PUT: blank secret fields are left out, which tells the kernel to keep the stored value (it never
 * sends secrets back, so the form cannot resend them).
 */
export function configPayload(model: Readonly<Record<string, unknown>>, schema: ConfigSchema): Record<string, unknown> {
  const payload: Record<string, unknown> = { ...model };
  for (const key of secretKeys(schema)) {
    if (payload[key] === undefined || payload[key] === null || payload[key] === '') delete payload[key];
  }
  return payload;
}

/** Formly fields for a plugin config schema: labels from titles (or keys), secrets as password fields. */
export function configFields(jsonschema: FormlyJsonschema, schema: ConfigSchema, stored: ReadonlySet<string>): FormlyFieldConfig[] {
  const root = jsonschema.toFieldConfig(schema as never, {
    map: (field: FormlyFieldConfig, source) => {
      const node = source as SchemaNode;
      const key = typeof field.key === 'string' ? field.key : undefined;
      field.props = { ...field.props };
      if (key && !field.props.label) field.props.label = humanize(key);
      // JSON Schema's `pattern` is an unanchored ECMAScript regex that the kernel's ajv tests as `new RegExp(p, 'u')`;
      // Angular's Validators.pattern would anchor a string as ^…$ (and refuse `https://x` for `^https?://`), but tests
      // a RegExp as given. Same rule in the console as on the server.
      if (typeof node['pattern'] === 'string') {
        field.props.pattern = schemaPattern(node['pattern']);
        field.props['schemaPattern'] = node['pattern'];
      }
      if (node['format'] === 'uri') field.props.type = 'url';
      if (node['format'] === 'email') field.props.type = 'email';
      if (field.type === 'number' || field.type === 'integer') field.props.type = 'number';
      if (node['x-secret'] === true) {
        field.props.type = 'password';
        field.props.attributes = { ...field.props.attributes, autocomplete: 'new-password' };
        if (key && stored.has(key)) {
          field.props.placeholder = 'Stored — leave blank to keep it';
          field.props.description = [field.props.description, 'A value is stored. It is never shown; type a new one to replace it.'].filter(Boolean).join(' ');
        }
      }
      return field;
    },
  });
  // The stored value satisfies "required", so the field may stay blank. Set after conversion: the converter adds
  // its own `props.required` expression to required properties once their field is mapped.
  for (const field of root.fieldGroup ?? []) {
    if (typeof field.key === 'string' && stored.has(field.key)) {
      field.expressions = { ...field.expressions, 'props.required': () => false };
    }
  }
  return [root];
}

/** A schema `pattern` as ajv compiles it; an invalid one (ajv refuses the schema) checks nothing here. */
export function schemaPattern(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

/** "apiKey" → "Api key", "webhook_url" → "Webhook url". */
export function humanize(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
