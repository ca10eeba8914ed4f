import { HttpErrorResponse } from '@angular/common/http';

/** One field problem of an RFC 9457 body: `pointer` is a JSON pointer into the request body (`/threshold`). */
export interface FieldProblem {
  readonly pointer: string;
  readonly message: string;
}

/** An `application/problem+json` error as the kernel sends it, or one made up for a failure with no body. */
export interface Problem {
  readonly status: number;
  readonly code: string;
  readonly title: string;
  readonly detail: string;
  readonly errors: readonly FieldProblem[];
  readonly requestId?: string;
  /** Members beyond the standard ones (`missing`, `dependants`, `plugin`, ...). */
  readonly extensions: Readonly<Record<string, unknown>>;
}

/** Thrown by `ApiClient`: an Error that carries the problem, so `catch` blocks can read the code. */
export class ProblemError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
    this.name = 'ProblemError';
  }
}

const STANDARD = new Set(['type', 'title', 'status', 'code', 'detail', 'instance', 'requestId', 'errors']);

function fromBody(status: number, body: unknown): Problem | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (typeof b['code'] !== 'string' && typeof b['title'] !== 'string') return undefined;
  const extensions: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(b)) if (!STANDARD.has(key)) extensions[key] = value;
  const errors = Array.isArray(b['errors'])
    ? (b['errors'] as unknown[])
        .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
        .map((e) => ({ pointer: String(e['pointer'] ?? ''), message: String(e['message'] ?? 'is invalid') }))
    : [];
  return {
    status: typeof b['status'] === 'number' ? b['status'] : status,
    code: typeof b['code'] === 'string' ? b['code'] : `HTTP_${status}`,
    title: typeof b['title'] === 'string' ? b['title'] : 'Request failed',
    detail: typeof b['detail'] === 'string' ? b['detail'] : '',
    errors,
    requestId: typeof b['requestId'] === 'string' ? b['requestId'] : undefined,
    extensions,
  };
}

function plain(status: number, code: string, title: string, detail: string): Problem {
  return { status, code, title, detail, errors: [], extensions: {} };
}

/** Anything a request can throw, as a Problem: problem+json bodies as sent, network failures and odd bodies described. */
export function toProblem(error: unknown): Problem {
  if (error instanceof ProblemError) return error.problem;
  if (error instanceof HttpErrorResponse) {
    if (error.status === 0) return plain(0, 'VV_NETWORK', 'Cannot reach the server', 'Check your connection and try again.');
    let body: unknown = error.error;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // Not JSON: a proxy's HTML error page, for example. Described by status below.
      }
    }
    return fromBody(error.status, body) ?? plain(error.status, `HTTP_${error.status}`, error.statusText || 'Request failed', `The server answered ${error.status}.`);
  }
  if (error instanceof Error) return plain(0, 'VV_CLIENT', 'Something went wrong', error.message);
  return plain(0, 'VV_CLIENT', 'Something went wrong', String(error));
}

/** A sentence for a person: the detail when there is one, else the title. */
export function describeProblem(problem: Problem): string {
  return problem.detail || problem.title;
}

/**
 * Whether a failure means "this capability is not there for this tenant": the plugin is disabled, not installed
 * (no route), or failed. Pages show an explanation instead of a generic error for these.
 */
export function isUnavailable(problem: Problem): boolean {
  return problem.code === 'VV_PLUGIN_NOT_ENABLED' || problem.code === 'VV_NOT_FOUND' || problem.code === 'VV_PLUGIN_FAILED' || problem.status === 404 || problem.status === 503;
}
