import type { ApiClient, QueryParams } from '../api/api-client';

/** What a third-party page receives as its `api` property: the kernel API with the user's session, nothing more. */
export interface ElementApi {
  get<T = unknown>(path: string, query?: QueryParams): Promise<T>;
  post<T = unknown>(path: string, body?: unknown, query?: QueryParams): Promise<T>;
  put<T = unknown>(path: string, body: unknown, query?: QueryParams): Promise<T>;
  patch<T = unknown>(path: string, body: unknown): Promise<T>;
  delete<T = unknown>(path: string): Promise<T>;
}

function checked(path: string): string {
  // Only the platform's own API: a plugin page must not use the session to reach anything else.
  if (typeof path !== 'string' || !path.startsWith('/api/') || path.includes('..')) {
    throw new Error(`Plugin pages may only call /api/ paths on this origin (got "${String(path)}").`);
  }
  return path;
}

/** An ElementApi backed by the app's ApiClient (bearer token, refresh, problem+json errors). */
export function createElementApi(client: ApiClient): ElementApi {
  return Object.freeze({
    get: <T>(path: string, query?: QueryParams) => client.get<T>(checked(path), query),
    post: <T>(path: string, body?: unknown, query?: QueryParams) => client.post<T>(checked(path), body, query),
    put: <T>(path: string, body: unknown, query?: QueryParams) => client.put<T>(checked(path), body, query),
    patch: <T>(path: string, body: unknown) => client.patch<T>(checked(path), body),
    delete: <T>(path: string) => client.delete<T>(checked(path)),
  });
}
