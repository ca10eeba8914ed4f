import { VvError, isVvError, type Logger } from '@valueverse/plugin-sdk';
import type { ProviderConfig } from './provider-config';

interface ErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly status?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

/** How much of an upstream answer the log keeps. */
const LOGGED_CHARS = 500;

/** Errors along the `cause` chain, outermost first (fetch hides a network code two causes deep). */
function chain(error: unknown): ErrorShape[] {
  const found: ErrorShape[] = [];
  for (let at = error as ErrorShape | undefined, depth = 0; at && typeof at === 'object' && depth < 5; at = at.cause as ErrorShape | undefined, depth++) found.push(at);
  return found;
}

/** The innermost `code` (e.g. ECONNREFUSED) of an error chain. */
function networkCode(error: unknown): string | undefined {
  return chain(error).find((e) => typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code))?.code as string | undefined;
}

/**
 * What a client may be told, and what only the log may hold. An upstream's answer (the body of an HTTP error, a
 * model's unparsable text) is never part of the error: a tenant admin can point a provider at any server, and that
 * server's body must not reach members (issue #10 finding 4). It goes to the log, truncated, with the key cut out.
 */
function classify(error: unknown, providerId: string, config: ProviderConfig): { vv: VvError; upstream?: string } {
  const e = (error ?? {}) as ErrorShape;
  // OpenAI's error classes keep the name "Error": the class name tells them apart.
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : ((error as object | undefined)?.constructor?.name ?? '');
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = typeof e.status === 'number' ? e.status : undefined;
  const dependency = `AI provider "${providerId}"`;
  const extensions = { provider: providerId, ...(status === undefined ? {} : { upstreamStatus: status }) };
  const upstream = (reason: string) => new VvError('VV_UPSTREAM_FAILED', { params: { service: dependency, reason }, extensions, cause: error });
  const unavailable = (reason: string) => new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency, reason }, extensions, cause: error });

  if (status === 401 || status === 403) return { vv: upstream(`the backend rejected the API key (HTTP ${status})`), upstream: message };
  if (status !== undefined) return { vv: upstream(`HTTP ${status}`), upstream: message };
  if (name === 'TimeoutError' || name === 'APIConnectionTimeoutError') return { vv: unavailable(`the backend at ${config.baseUrl} did not answer within ${config.timeoutMs} ms`) };
  if (name === 'APIConnectionError' || networkCode(error)) {
    const code = networkCode(error);
    return { vv: unavailable(`cannot connect to ${config.baseUrl}${code ? ` (${code})` : ''}`), upstream: message };
  }
  if (name === 'OutputParserException') return { vv: upstream(`the answer of model "${config.model}" is not the JSON asked for`), upstream: message };
  return { vv: upstream(`the call failed (${name || 'error'})`), upstream: message };
}

/**
 * Maps whatever a call to an OpenAI-compatible backend threw (OpenAI SDK and LangChain errors, network failures) to
 * a coded error naming the provider plugin, keeping the original as `cause`: `VV_UPSTREAM_FAILED` when the backend
 * answered (an HTTP error, an answer that is not the JSON asked for), `VV_DEPENDENCY_UNAVAILABLE` when it could not
 * be reached or timed out, and the kernel's own refusal (`VV_OUTBOUND_REFUSED`) as it is. The message holds only
 * fixed sentences, the status and the configured address; what the backend said is logged.
 */
export function toProviderError(error: unknown, providerId: string, config: ProviderConfig, logger?: Logger): VvError {
  if (isVvError(error)) return error;
  // The OpenAI client wraps what fetch threw (e.g. the kernel's VV_OUTBOUND_REFUSED) as an APIConnectionError.
  const kernelError = chain(error).find((e): e is VvError => isVvError(e));
  if (kernelError) return kernelError;
  const { vv, upstream } = classify(error, providerId, config);
  if (upstream !== undefined && logger) {
    const safe = config.apiKey && config.apiKey.length >= 4 ? upstream.split(config.apiKey).join('••••') : upstream;
    logger.warn(
      { provider: providerId, code: vv.code, upstreamStatus: vv.extensions?.upstreamStatus, upstream: safe.slice(0, LOGGED_CHARS) },
      `AI provider "${providerId}" failed: ${vv.message}`,
    );
  }
  return vv;
}
