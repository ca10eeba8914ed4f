import { VvError, isVvError } from '@valueverse/plugin-sdk';
import type { ProviderConfig } from './provider-config';

interface ErrorShape {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly status?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

/** The innermost `code` (e.g. ECONNREFUSED) of an error chain: fetch hides it two `cause`s deep. */
function networkCode(error: unknown): string | undefined {
  for (let at = error as ErrorShape | undefined, depth = 0; at && depth < 5; at = at.cause as ErrorShape | undefined, depth++) {
    if (typeof at.code === 'string' && /^E[A-Z]+$/.test(at.code)) return at.code;
  }
  return undefined;
}

/** Why the backend failed, in words a tenant admin can act on. */
function reasonOf(error: unknown, config: ProviderConfig): { reason: string; status?: number } {
  const e = (error ?? {}) as ErrorShape;
  // OpenAI's error classes keep the name "Error": the class name tells them apart.
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : ((error as object | undefined)?.constructor?.name ?? '');
  const message = typeof e.message === 'string' ? e.message : String(error);
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === 401 || status === 403) return { status, reason: `the backend at ${config.baseUrl} rejected the API key (HTTP ${status})` };
  // The OpenAI client prefixes its messages with the status ("500 The server had an error").
  if (status !== undefined) return { status, reason: `the backend at ${config.baseUrl} answered HTTP ${status}: ${message.replace(/^\d{3} /, '')}` };
  if (name === 'TimeoutError' || name === 'APIConnectionTimeoutError') {
    return { reason: `the backend at ${config.baseUrl} did not answer within ${config.timeoutMs} ms` };
  }
  if (name === 'APIConnectionError' || networkCode(error)) {
    const code = networkCode(error);
    return { reason: `cannot connect to ${config.baseUrl}${code ? ` (${code})` : ''}` };
  }
  if (name === 'OutputParserException') return { reason: `the answer of model "${config.model}" is not the JSON asked for: ${message}` };
  return { reason: `${name || 'error'}: ${message}` };
}

/**
 * Maps whatever a call to an OpenAI-compatible backend threw (OpenAI SDK and LangChain errors, network failures) to
 * `VV_DEPENDENCY_UNAVAILABLE` naming the provider plugin, keeping the original as `cause`. The API key is cut out of
 * the message in case a backend echoes it.
 */
export function toProviderError(error: unknown, providerId: string, config: ProviderConfig): VvError {
  if (isVvError(error)) return error;
  const { reason, status } = reasonOf(error, config);
  const safe = config.apiKey && config.apiKey.length >= 4 ? reason.split(config.apiKey).join('••••') : reason;
  return new VvError('VV_DEPENDENCY_UNAVAILABLE', {
    params: { dependency: `AI provider "${providerId}"`, reason: safe },
    extensions: { provider: providerId, ...(status === undefined ? {} : { upstreamStatus: status }) },
    cause: error,
  });
}
