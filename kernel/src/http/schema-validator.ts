import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { fullFormats } from 'ajv-formats/dist/formats';
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

function newAjv(coerce: boolean): Ajv {
  // `strict: false` lets route and config schemas carry annotations such as `x-secret` and `x-unit`.
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, ...(coerce ? { coerceTypes: 'array' as const } : {}) });
  addFormats(ajv);
  // RFC 3339 allows year 0000, which PostgreSQL does not have ("date/time field value out of range", a 500): dates
  // and instants are refused here unless their year is 0001-9999 (issue #10, finding 8: audit `to=0000-01-01…`).
  for (const name of ['date', 'date-time'] as const) {
    const base = fullFormats[name] as { validate: (value: string) => boolean; compare: (a: string, b: string) => number | undefined };
    ajv.addFormat(name, { type: 'string', validate: (value: string) => base.validate(value) && !value.startsWith('0000'), compare: base.compare });
  }
  return ajv;
}

// Compiling a schema costs milliseconds and the compiled function is pure: the process compiles each distinct
// schema once, whatever the number of kernels (tests boot hundreds).
let shared: { strict: Ajv; coercing: Ajv } | undefined;
const compiled = new Map<string, ValidateFunction>();

function sharedAjv(coerce: boolean): Ajv {
  shared ??= { strict: newAjv(false), coercing: newAjv(true) };
  return coerce ? shared.coercing : shared.strict;
}

function compileNow(key: string, schema: JsonSchema, coerce: boolean): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = sharedAjv(coerce).compile(schema as object);
    } catch (error) {
      // Another schema already took this `$id` in the shared instance: this one gets an ajv of its own.
      if (!/already exists/.test((error as Error).message)) throw error;
      validate = newAjv(coerce).compile(schema as object);
    }
    compiled.set(key, validate);
  }
  return validate;
}

/** Compiled validators: one ajv for JSON bodies and configs, one that coerces query strings and path params. */
export class SchemaValidator {
  /**
   * Checks the schema at registration time against JSON Schema's meta-schema, so a broken schema is rejected
   * before any request arrives, and compiles it on first use. Compiling every route's schema at boot cost about a
   * second of CPU on each start of the host (65 schemas; issue #14), mostly for routes a given process never serves.
   */
  compile(schema: JsonSchema, part: Part): (value: unknown) => FieldProblem[] {
    const coerce = part === 'query' || part === 'params';
    const key = `${coerce ? 'c' : 's'}${JSON.stringify(schema)}`;
    let validate = compiled.get(key);
    // Throws ajv's own "schema is invalid: …" error, as compile() would.
    if (!validate) sharedAjv(coerce).validateSchema(schema as object, true);
    return (value) => {
      validate ??= compileNow(key, schema, coerce);
      return validate(value) ? [] : toFieldProblems(validate.errors, part);
    };
  }
}
