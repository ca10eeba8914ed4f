import { VvError, isVvError } from '@valueverse/plugin-sdk';

interface ErrorShape {
  readonly name?: unknown;
  readonly status?: unknown;
  readonly code?: unknown;
  readonly cause?: unknown;
}

function chain(error: unknown): ErrorShape[] {
  const found: ErrorShape[] = [];
  for (let at = error as ErrorShape | undefined, depth = 0; at && typeof at === 'object' && depth < 5; at = at.cause as ErrorShape | undefined, depth++) found.push(at);
  return found;
}

/** True when `error` is the run being stopped (cancel, or the instance shutting down), not a failure. */
export function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || chain(error).some((e) => e.name === 'AbortError' || e.name === 'APIUserAbortError');
}

/**
 * What a user is told when the tenant's AI provider fails during a conversation: the provider by its plugin id and a
 * fixed reason (the HTTP status, "could not be reached", "did not answer in time"), never what the backend said, its
 * address or a connection error's text — a tenant admin chooses the backend, and members read these messages. As
 * value-architect's hypotheses do, the original stays as `cause` for the log.
 */
export function providerFailure(error: unknown, providerId: string): VvError {
  const service = `AI provider "${providerId}"`;
  const extensions = { provider: providerId };
  const kernel = chain(error).find((e): e is VvError => isVvError(e));
  if (kernel && (kernel.code === 'VV_UPSTREAM_FAILED' || kernel.code === 'VV_DEPENDENCY_UNAVAILABLE') && kernel.extensions?.['provider'] === providerId) return kernel;
  if (kernel) return new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: service, reason: `the call was refused (${kernel.code})` }, extensions, cause: error });
  const e = (error ?? {}) as ErrorShape;
  const status = typeof e.status === 'number' ? e.status : undefined;
  const name = typeof e.name === 'string' && e.name !== 'Error' ? e.name : ((error as object | undefined)?.constructor?.name ?? '');
  if (status === 401 || status === 403)
    return new VvError('VV_UPSTREAM_FAILED', {
      params: { service, reason: `the backend rejected the API key (HTTP ${status})` },
      extensions: { ...extensions, upstreamStatus: status },
      cause: error,
    });
  if (status !== undefined)
    return new VvError('VV_UPSTREAM_FAILED', { params: { service, reason: `HTTP ${status}` }, extensions: { ...extensions, upstreamStatus: status }, cause: error });
  if (/Timeout/.test(name))
    return new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: service, reason: 'the backend did not answer in time' }, extensions, cause: error });
  const network = chain(error).some((x) => typeof x.code === 'string' && /^E[A-Z]+$/.test(x.code)) || name === 'APIConnectionError';
  if (network) return new VvError('VV_DEPENDENCY_UNAVAILABLE', { params: { dependency: service, reason: 'the backend could not be reached' }, extensions, cause: error });
  return new VvError('VV_UPSTREAM_FAILED', { params: { service, reason: `the call failed (${name || 'error'})` }, extensions, cause: error });
}
