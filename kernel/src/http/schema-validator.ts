import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FieldProblem, JsonSchema } from '@valueverse/plugin-sdk';

type Part = NonNullable<FieldProblem['in']>;

/** Turns ajv errors into field problems whose pointers name the offending field itself. */
export function toFieldProblems(errors: readonly ErrorObject[] | null | undefined, part: Part): FieldProblem[] {
  return (errors ?? []).map((e) => {
    let pointer = e.instancePath;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      pointer = `${pointer}/${escapePointer(String(e.params.missingProperty))}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      pointer = `${pointer}/${escapePointer(String(e.params.additionalProperty))}`;
      message = 'unknown key';
    }
    return { pointer, message, in: part };
  });
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Compiled validators for a kernel: one ajv for JSON bodies and configs, one that coerces query strings. */
export class SchemaValidator {
  private readonly strictAjv: Ajv;
  private readonly coercingAjv: Ajv;

  constructor() {
    // `strict: false` lets route and config schemas carry annotations such as `x-secret` and `x-unit`.
    this.strictAjv = new Ajv({ allErrors: true, strict: false, useDefaults: true });
    this.coercingAjv = new Ajv({ allErrors: true, strict: false, useDefaults: true, coerceTypes: 'array' });
    addFormats(this.strictAjv);
    addFormats(this.coercingAjv);
  }

  /** Compiles at registration time, so a broken schema is rejected before any request arrives. */
  compile(schema: JsonSchema, part: Part): (value: unknown) => FieldProblem[] {
    const ajv = part === 'query' || part === 'params' ? this.coercingAjv : this.strictAjv;
    const validate: ValidateFunction = ajv.compile(schema as object);
    return (value) => (validate(value) ? [] : toFieldProblems(validate.errors, part));
  }
}
