import { HttpClient, HttpParams, type HttpHeaders, type HttpResponse } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import type { Observable } from 'rxjs';
import { ProblemError, toProblem } from './problem';

/** Query values; undefined and empty strings are left out. */
export type QueryParams = Record<string, string | number | boolean | undefined | null>;

function params(query: QueryParams | undefined): HttpParams | undefined {
  if (!query) return undefined;
  let p = new HttpParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    p = p.set(key, String(value));
  }
  return p;
}

/** A whole response, for callers that read its status or headers (`Idempotent-Replayed`, `Location`). */
export interface ApiResponse<T> {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: T;
}

/**
 * The kernel's HTTP API as promises. Requests go through the auth interceptor (bearer token, one refresh and retry
 * on 401); failures reject with a `ProblemError` carrying the problem+json body.
 */
@Injectable({ providedIn: 'root' })
export class ApiClient {
  private readonly http = inject(HttpClient);

  get<T>(path: string, query?: QueryParams, signal?: AbortSignal): Promise<T> {
    return this.run(this.http.get<T>(path, { params: params(query) }), signal);
  }

  post<T>(path: string, body?: unknown, query?: QueryParams, signal?: AbortSignal): Promise<T> {
    return this.run(this.http.post<T>(path, body ?? {}, { params: params(query) }), signal);
  }

  /** POST with request headers (e.g. `Idempotency-Key`), answering the whole response rather than only its body. */
  postResponse<T>(path: string, body: unknown, options: { query?: QueryParams; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<ApiResponse<T>> {
    const request = this.http.post<T>(path, body ?? {}, { params: params(options.query), headers: options.headers, observe: 'response' });
    return this.run<HttpResponse<T>>(request, options.signal).then((r) => ({ status: r.status, headers: r.headers, body: r.body as T }));
  }

  put<T>(path: string, body: unknown, query?: QueryParams): Promise<T> {
    return this.run(this.http.put<T>(path, body, { params: params(query) }));
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.run(this.http.patch<T>(path, body));
  }

  delete<T = void>(path: string): Promise<T> {
    return this.run(this.http.delete<T>(path));
  }

  private run<T>(request: Observable<T>, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      // Subscribing (rather than firstValueFrom) lets an AbortSignal cancel the underlying request.
      const subscription = request.subscribe({
        next: (value) => resolve(value),
        error: (error: unknown) => reject(new ProblemError(toProblem(error))),
        complete: () => resolve(undefined as T),
      });
      signal?.addEventListener(
        'abort',
        () => {
          subscription.unsubscribe();
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }
}
