import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as semver from 'semver';
import { VvError, type FieldProblem } from '../errors/vv-error';
import { sharedServiceRefs } from '../services/shared-service-refs';
import { pluginManifestSchema, type PluginManifest } from './plugin-manifest';

type Json = Record<string, unknown>;

/** Ids of the SDK's shared multi-provider refs (e.g. `ai.chat`): any plugin may provide them. */
const sharedServiceIds: ReadonlySet<string> = new Set(sharedServiceRefs.map((ref) => ref.id));

/** `semver` / `semver-range` formats used by the manifest schema (and allowed in config schemas). */
function addSemverFormats(ajv: Ajv): void {
  ajv.addFormat('semver', { type: 'string', validate: (value: string) => semver.valid(value) !== null });
  // semver reads "" as "*" (any version): a blank range is a mistake in a manifest, never a deliberate wildcard.
  ajv.addFormat('semver-range', { type: 'string', validate: (value: string) => value.trim() !== '' && semver.validRange(value) !== null });
}

let manifestValidator: ValidateFunction | undefined;

/** Compiled once, on first use; strict mode makes a typo in the SDK's schema itself fail loudly here. */
function getManifestValidator(): ValidateFunction {
  if (!manifestValidator) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    addSemverFormats(ajv);
    manifestValidator = ajv.compile(pluginManifestSchema);
  }
  return manifestValidator;
}

let configAjv: Ajv | undefined;
/** Annotation keywords already added to `configAjv` (ajv's getKeyword does not report definition-less ones). */
const annotationKeywords = new Set<string>();

/**
 * Compiles a plugin's config schema the way it will be used, but strictly, so that a typo such as `"tpye"` is
 * reported when the plugin is installed rather than silently ignored. `x-*` keys (e.g. `x-secret`) are annotations,
 * registered as no-op keywords so strict mode accepts them. Returns the compile error message, or undefined.
 */
function configSchemaProblem(schema: Json): string | undefined {
  if (!configAjv) {
    configAjv = new Ajv({ allErrors: true, strict: true });
    addFormats(configAjv);
    addSemverFormats(configAjv);
  }
  const ajv = configAjv;
  try {
    for (const key of annotationKeys(schema)) {
      if (annotationKeywords.has(key)) continue;
      ajv.addKeyword(key);
      annotationKeywords.add(key);
    }
    ajv.compile(schema);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  } finally {
    // The shared instance must not remember this schema: a `$id` would clash the next time the manifest is read.
    ajv.removeSchema(schema);
  }
}

function annotationKeys(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const item of node) annotationKeys(item, found);
  } else if (typeof node === 'object' && node !== null) {
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith('x-')) found.add(key);
      annotationKeys(value, found);
    }
  }
  return found;
}

/** RFC 6901 escaping of one pointer segment. */
function segment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

const pluginIdRule = 'must be a plugin id: 2-49 lower-case letters, digits or "-", starting with a letter';

/** Messages a plugin author can act on, by the schema rule that failed (ajv's default repeats the regex). */
const friendlyMessages: Readonly<Record<string, string>> = {
  '#/properties/id/pattern': pluginIdRule,
  '#/definitions/dependencyMap/propertyNames/pattern': pluginIdRule,
  '#/properties/version/format': 'must be a semver version, e.g. "1.0.0"',
  '#/properties/kernel/format': 'must be a semver range, e.g. "^1.0.0"',
  '#/definitions/dependencyMap/additionalProperties/format': 'must be a semver range, e.g. "^1.0.0"',
  '#/properties/main/pattern': 'must be a relative path to a .js, .cjs or .ts file inside the plugin folder (no leading "/", no "..")',
  '#/properties/ui/properties/elements/pattern': 'must be a relative path to a .js file inside the plugin folder (no leading "/", no "..")',
  '#/properties/provides/items/pattern': 'must be lower-case dot-separated words, e.g. "my-plugin.orders"',
  '#/properties/permissions/items/pattern': 'must be one of "db", "jobs", "audit", "http.outbound", "http.public", "events.publish:<pattern>", "events.subscribe:<pattern>"',
  '#/properties/outbound/properties/origins/items/pattern': 'must be an origin "https://host" or "http://host:port", "*." for any subdomain, no path',
  '#/properties/outbound/properties/configFields/items/pattern': 'must name a config property, e.g. "baseUrl" or, inside an object, "slack.webhookUrl"',
  '#/properties/routes/items/pattern': 'must be a path prefix of lower-case segments, e.g. "/commitments"',
  '#/properties/ui/properties/nav/items/properties/path/pattern': 'must be a relative workspace path, e.g. "commitments"',
  '#/properties/ui/properties/nav/items/properties/element/pattern': 'must be a custom element tag containing "-", e.g. "acme-orders"',
};

function valueAt(raw: unknown, pointer: string): unknown {
  let node = raw;
  for (const part of pointer.split('/').slice(1)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Json)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return node;
}

/** ajv errors → problems whose pointer names the offending value itself (the unknown key, the duplicate item). */
function schemaProblems(errors: readonly ErrorObject[], raw: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const e of errors) {
    let pointer = e.instancePath;
    let message = friendlyMessages[e.schemaPath] ?? e.message ?? 'is invalid';
    switch (e.keyword) {
      case 'propertyNames':
        continue; // ajv also reports the failing sub-rule with `propertyName`, handled below with a better message
      case 'required':
        pointer = `${pointer}/${segment(e.params.missingProperty as string)}`;
        message = 'is required';
        break;
      case 'additionalProperties':
        pointer = `${pointer}/${segment(e.params.additionalProperty as string)}`;
        message = 'unknown key';
        break;
      case 'uniqueItems':
        pointer = `${pointer}/${Math.max(e.params.i as number, e.params.j as number)}`;
        message = `duplicates item ${Math.min(e.params.i as number, e.params.j as number)}`;
        break;
      default:
        break;
    }
    if (e.propertyName !== undefined) pointer = `${pointer}/${segment(e.propertyName)}`;
    const value = e.propertyName ?? valueAt(raw, pointer);
    if (e.keyword !== 'additionalProperties' && typeof value === 'string' && value.length <= 80) message += ` (got "${value}")`;
    problems.push({ pointer, message, in: 'manifest' });
  }
  return problems;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Rules JSON Schema cannot express. They run on whatever shape the manifest has (guarding every access), so that
 * one validation reports the schema problems and these together.
 */
function semanticProblems(raw: Json, idIsValid: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (pointer: string, message: string): void => {
    problems.push({ pointer, message, in: 'manifest' });
  };
  const id = typeof raw.id === 'string' ? raw.id : undefined;
  const requires = isObject(raw.requires) ? raw.requires : {};
  const optional = isObject(raw.optional) ? raw.optional : {};

  if (id !== undefined && id in requires) add(`/requires/${segment(id)}`, 'a plugin cannot require itself');
  if (id !== undefined && id in optional) add(`/optional/${segment(id)}`, 'a plugin cannot depend on itself');
  for (const dep of Object.keys(optional)) {
    if (dep !== id && dep in requires) add(`/optional/${segment(dep)}`, `"${dep}" is also listed under requires; list it in one place only`);
  }

  if (Array.isArray(raw.provides)) {
    raw.provides.forEach((ref, index) => {
      if (typeof ref !== 'string') return;
      if (ref === 'core' || ref.startsWith('core.')) {
        add(`/provides/${index}`, `"${ref}": the "core." namespace is reserved for kernel services`);
      } else if (idIsValid && id !== undefined && ref.includes('.') && ref !== id && !ref.startsWith(`${id}.`) && !sharedServiceIds.has(ref)) {
        // Namespacing by plugin id keeps service ids of independent authors from colliding.
        add(`/provides/${index}`, `"${ref}" must start with "${id}." or be a single word (or an SDK shared service such as "ai.chat")`);
      }
    });
  }

  if (Array.isArray(raw.uses)) {
    const provides = Array.isArray(raw.provides) ? raw.provides : [];
    raw.uses.forEach((ref, index) => {
      if (typeof ref !== 'string') return;
      if (ref === 'core' || ref.startsWith('core.')) add(`/uses/${index}`, `"${ref}": kernel services need no "uses" entry`);
      else if (provides.includes(ref)) add(`/uses/${index}`, `"${ref}" is also listed under provides; a plugin cannot use a service it provides itself`);
    });
  }

  if (Array.isArray(raw.routes)) {
    const routes = raw.routes;
    routes.forEach((route, index) => {
      if (typeof route !== 'string') return;
      // Nested prefixes of one plugin make ownership ambiguous for no gain: the outer prefix already owns the inner.
      const outer = routes.findIndex((other) => typeof other === 'string' && route.startsWith(`${other}/`));
      if (outer >= 0) add(`/routes/${index}`, `"${route}" is nested in "${routes[outer] as string}" (/routes/${outer}); the outer prefix already owns it`);
    });
  }

  if (isObject(raw.config) && raw.config.type === 'object') {
    const problem = configSchemaProblem(raw.config);
    if (problem) add('/config', `is not a valid JSON Schema: ${problem}`);
  }
  problems.push(...outboundProblems(raw));
  return problems;
}

/**
 * `http.outbound` and the `outbound` allowlist come together (a permission to call "anywhere" does not exist); each
 * `configFields` entry is a string property of the config; `x-secret-bound-to` sits on a secret and names sibling
 * properties; and when tenants configure destinations, every top-level secret says which of them it is bound to
 * (`[]` for "never sent to a configured destination"), so no secret can be redirected by editing a URL.
 */
function outboundProblems(raw: Json): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const add = (pointer: string, message: string): void => {
    problems.push({ pointer, message, in: 'manifest' });
  };
  const permitted = Array.isArray(raw.permissions) && raw.permissions.includes('http.outbound');
  const outbound = isObject(raw.outbound) ? raw.outbound : undefined;
  if (permitted && !outbound) add('/outbound', 'is required with permission "http.outbound": declare the origins or config fields the plugin may call');
  if (outbound && !permitted) add('/outbound', 'needs permission "http.outbound"');
  const properties = isObject(raw.config) && isObject(raw.config.properties) ? raw.config.properties : {};
  const configFields = outbound && Array.isArray(outbound.configFields) ? outbound.configFields.filter((f): f is string => typeof f === 'string') : [];
  configFields.forEach((field, index) => {
    // A dotted field names a property inside nested objects (`slack.webhookUrl`).
    const property = field
      .split('.')
      .reduce<unknown>((node, key, i) => (i === 0 ? properties[key] : isObject(node) && isObject(node.properties) ? node.properties[key] : undefined), undefined);
    if (!isObject(property)) add(`/outbound/configFields/${index}`, `"${field}" is not a property of the config schema`);
    else if (property.type !== 'string') add(`/outbound/configFields/${index}`, `"${field}" must be a string (URL) property of the config schema`);
    else if (property['x-secret'] === true) add(`/outbound/configFields/${index}`, `"${field}" is a secret; a destination is shown to admins, so it cannot be one`);
  });
  const visit = (node: Json, pointer: string, topLevel: boolean): void => {
    const props = isObject(node.properties) ? node.properties : {};
    for (const [key, value] of Object.entries(props)) {
      if (!isObject(value)) continue;
      const at = `${pointer}/properties/${segment(key)}`;
      const bound = value['x-secret-bound-to'];
      if (bound !== undefined) {
        if (value['x-secret'] !== true) add(`${at}/x-secret-bound-to`, 'only a secret ("x-secret": true) can be bound to destination fields');
        if (!Array.isArray(bound) || bound.some((b) => typeof b !== 'string') || new Set(bound).size !== bound.length) {
          add(`${at}/x-secret-bound-to`, 'must be a list of distinct property names');
        } else {
          for (const name of bound as string[]) {
            const sibling = props[name];
            if (!isObject(sibling)) add(`${at}/x-secret-bound-to`, `"${name}" is not a sibling property`);
            else if (sibling['x-secret'] === true) add(`${at}/x-secret-bound-to`, `"${name}" is a secret, not a destination`);
          }
        }
      } else if (topLevel && configFields.length > 0 && value['x-secret'] === true) {
        add(
          `${at}`,
          `is a secret in a plugin whose tenants configure destinations (${configFields.join(', ')}): declare "x-secret-bound-to" (e.g. ["${configFields[0]}"], or [] if it is never sent there)`,
        );
      }
      visit(value, at, false);
    }
    // Array items and map values have no stable siblings to compare (items move): binding is not offered there.
    for (const key of ['items', 'additionalProperties'] as const) {
      if (isObject(node[key])) unsupported(node[key], `${pointer}/${key}`);
    }
  };
  const unsupported = (node: unknown, pointer: string): void => {
    if (!isObject(node)) return;
    if (node['x-secret-bound-to'] !== undefined) add(`${pointer}/x-secret-bound-to`, 'is only supported on object properties, not inside "items" or "additionalProperties"');
    for (const [key, value] of Object.entries(node)) {
      if (key === 'properties' && isObject(value)) for (const [name, child] of Object.entries(value)) unsupported(child, `${pointer}/properties/${segment(name)}`);
      else if ((key === 'items' || key === 'additionalProperties') && isObject(value)) unsupported(value, `${pointer}/${key}`);
    }
  };
  if (isObject(raw.config)) visit(raw.config, '/config', true);
  return problems;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Validates a parsed `plugin.json` — the one place that decides whether a manifest is acceptable. Checks the SDK's
 * JSON Schema strictly (unknown keys are errors), then the rules a schema cannot express: no self-dependency, no id
 * in both `requires` and `optional`, `provides` ids namespaced by the plugin id (or a single word), no nested route
 * prefixes, and a config schema that compiles.
 *
 * @param raw the parsed JSON
 * @param source where it came from (a file path), named in the error when the manifest has no usable id
 * @returns a deep-frozen copy, typed
 * @throws VvError `VV_MANIFEST_INVALID` listing every problem with its JSON pointer (`errors`, `in: 'manifest'`)
 */
export function validateManifest(raw: unknown, source: string): PluginManifest {
  const validate = getManifestValidator();
  const problems = validate(raw) ? [] : schemaProblems(validate.errors ?? [], raw);
  // A bad id is reported once; checking `provides` against it would only add noise.
  if (isObject(raw)) problems.push(...semanticProblems(raw, !problems.some((p) => p.pointer === '/id')));
  if (problems.length > 0) {
    const id = isObject(raw) && typeof raw.id === 'string' && raw.id !== '' ? raw.id : source;
    throw new VvError('VV_MANIFEST_INVALID', {
      params: {
        plugin: id,
        source,
        problems: problems.map((p) => `${p.pointer || '(root)'} ${p.message}`).join('; '),
      },
      errors: problems,
    });
  }
  return deepFreeze(structuredClone(raw) as PluginManifest);
}
