import { VvError, type FieldProblem, type PluginConfigSchema } from '@valueverse/plugin-sdk';
import { SECRET_MASK } from '../tenancy/secret-box';

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Refuses a config change that moves where a kept secret is sent. A secret's schema names its destination fields
 * (`"x-secret-bound-to": ["baseUrl"]`, siblings of the secret); when the client sends the secret back as the mask
 * `"••••"` (or leaves it out), the stored secret is kept, and then none of those fields may change. Issue #10
 * finding 4: a tenant admin pointed ai-openai's `baseUrl` at a listener, kept the platform-set key as "••••", and
 * the next call sent `Authorization: Bearer <the key>` there. Whoever changes the destination must know the secret,
 * so a secret set by a platform admin cannot be redirected by anyone who has not been given it.
 *
 * @param current the stored config, secrets opened
 * @param incoming what the client sent (mask and absent secrets not yet resolved)
 * @param next the config that would be stored (secrets resolved, defaults applied)
 * @throws VvError `VV_SECRET_REQUIRED` naming the secret and the fields that moved
 */
export function assertSecretsRebound(schema: PluginConfigSchema | undefined, current: JsonObject, incoming: JsonObject, next: JsonObject): void {
  const found: Rebinding[] = [];
  visit(schema, current, incoming, next, '', found);
  if (found.length === 0) return;
  const problems: FieldProblem[] = found.map((f) => ({
    pointer: f.secret,
    in: 'config',
    message: `is bound to ${f.moved.map((m) => `"${m}"`).join(', ')}, which changed: send the secret again, not the mask`,
  }));
  throw new VvError('VV_SECRET_REQUIRED', {
    params: {
      fields: found
        .flatMap((f) => f.moved)
        .map((m) => `"${m}"`)
        .join(', '),
      secret: found.map((f) => `"${f.secret}"`).join(', '),
    },
    errors: problems,
  });
}

interface Rebinding {
  readonly secret: string;
  readonly moved: readonly string[];
}

function visit(schema: unknown, current: unknown, incoming: unknown, next: unknown, pointer: string, found: Rebinding[]): void {
  if (!isObject(schema) || !isObject(schema.properties) || !isObject(current) || !isObject(next)) return;
  const properties = schema.properties;
  const sent = isObject(incoming) ? incoming : {};
  for (const [key, property] of Object.entries(properties)) {
    if (!isObject(property)) continue;
    const at = `${pointer}/${escapePointer(key)}`;
    const bound = property['x-secret-bound-to'];
    if (property['x-secret'] === true && Array.isArray(bound) && bound.length > 0) {
      const kept = current[key] !== undefined && (sent[key] === undefined || sent[key] === SECRET_MASK);
      if (!kept) continue;
      const moved = (bound as string[]).filter((field) => {
        // A field stored before it had a default reads as that default, as the plugin sees it.
        const fallback = isObject(properties[field]) ? (properties[field] as JsonObject).default : undefined;
        return !same(current[field] ?? fallback, next[field] ?? fallback);
      });
      if (moved.length > 0) found.push({ secret: at, moved: moved.map((field) => `${pointer}/${escapePointer(field)}`) });
      continue;
    }
    // Secrets inside nested objects are bound to their own siblings (e.g. a webhook's url and token).
    if (property['x-secret'] !== true) visit(property, current[key], sent[key], next[key], at, found);
  }
}
