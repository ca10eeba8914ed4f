import { Liquid } from 'liquidjs';
import { VvError, type FieldProblem } from '@valueverse/plugin-sdk';

/** A message template: subject and text are plain text, `html` is escaped HTML. */
export interface TemplateParts {
  readonly subject: string;
  readonly text: string;
  readonly html?: string | null;
}

export interface RenderedMessage {
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/** What every template can read besides `data` (the event payload or the send call's `data`). */
export const contextRoots = ['data', 'recipient', 'tenant', 'event', 'category', 'unsubscribeUrl', 'link'] as const;

// Two engines: output in HTML is escaped (`{{ data.name }}` cannot inject markup; `| raw` opts out), output in
// subject and text is not (they are not HTML). Neither reads files: templates come from the database only.
const textEngine = new Liquid({ outputEscape: undefined, ownPropertyOnly: true, cache: 500 });
const htmlEngine = new Liquid({ outputEscape: 'escape', ownPropertyOnly: true, cache: 500 });

/** Renders a template with `context`; a variable that is not there renders empty. */
export async function renderTemplate(parts: TemplateParts, context: Readonly<Record<string, unknown>>): Promise<RenderedMessage> {
  const [subject, text, html] = await Promise.all([
    textEngine.parseAndRender(parts.subject, context),
    textEngine.parseAndRender(parts.text, context),
    parts.html ? htmlEngine.parseAndRender(parts.html, context) : Promise.resolve(undefined),
  ]);
  return { subject: subject.trim(), text, ...(html === undefined ? {} : { html }) };
}

/**
 * Parses each part and checks the variables it reads: the root must be one of `contextRoots`, and a `data.*` path
 * must exist in `sampleData` when one is given. Throws `VV_VALIDATION` naming each unknown variable and where it is.
 */
export function validateTemplate(parts: TemplateParts, sampleData?: Readonly<Record<string, unknown>>): void {
  const problems: FieldProblem[] = [];
  const fields = [
    ['subject', parts.subject],
    ['text', parts.text],
    ['html', parts.html ?? ''],
  ] as const;
  for (const [field, source] of fields) {
    let variables: string[][];
    try {
      const engine = field === 'html' ? htmlEngine : textEngine;
      variables = engine.globalVariableSegmentsSync(engine.parse(source)).map((segments) => segments.map(String));
    } catch (error) {
      problems.push({ pointer: `/${field}`, in: 'body', message: `is not a valid Liquid template: ${(error as Error).message.split('\n')[0]}` });
      continue;
    }
    for (const segments of variables) {
      const name = segments.join('.');
      if (!(contextRoots as readonly string[]).includes(segments[0]!)) {
        problems.push({ pointer: `/${field}`, in: 'body', message: `uses unknown variable "${name}" (known: ${contextRoots.join(', ')})` });
      } else if (segments[0] === 'data' && sampleData && segments.length > 1 && !hasPath(sampleData, segments.slice(1))) {
        problems.push({ pointer: `/${field}`, in: 'body', message: `uses unknown variable "${name}" (not in the sample data)` });
      }
    }
  }
  if (problems.length > 0) throw new VvError('VV_VALIDATION', { params: { reason: 'The template does not parse or uses unknown variables' }, errors: problems });
}

function hasPath(value: unknown, path: readonly string[]): boolean {
  let node: unknown = value;
  for (const key of path) {
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      node = node[Number(key)];
      continue;
    }
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, key)) return false;
    node = (node as Record<string, unknown>)[key];
  }
  return true;
}
