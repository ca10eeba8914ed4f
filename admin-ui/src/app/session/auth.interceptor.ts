import { HttpErrorResponse, type HttpInterceptorFn, type HttpRequest } from '@angular/common/http';
import { inject } from '@angular/core';
import { catchError, defer, from, switchMap, throwError } from 'rxjs';
import { SessionService } from './session.service';

function withToken(request: HttpRequest<unknown>, token: string | undefined): HttpRequest<unknown> {
  return token ? request.clone({ setHeaders: { Authorization: `Bearer ${token}` } }) : request;
}

/**
 * Adds the bearer token to API requests. A token about to expire is refreshed first; a 401 is answered by one
 * refresh and one retry, and ends the session when the refresh is refused. The auth routes themselves pass through.
 */
export const authInterceptor: HttpInterceptorFn = (request, next) => {
  if (!request.url.startsWith('/api/') || request.url.startsWith('/api/v1/auth/')) return next(request);
  const session = inject(SessionService);
  const send = defer(() => next(withToken(request, session.accessToken())));
  const first =
    session.expiresSoon() && session.canRefresh()
      ? from(session.refresh()).pipe(
          switchMap(() => send),
          catchError(() => send),
        )
      : send;
  return first.pipe(
    catchError((error: unknown) => {
      if (!(error instanceof HttpErrorResponse) || error.status !== 401) return throwError(() => error);
      if (!session.canRefresh()) {
        session.expire();
        return throwError(() => error);
      }
      return from(session.refresh()).pipe(
        catchError(() => {
          session.expire();
          return throwError(() => error);
        }),
        switchMap((fresh) => next(withToken(request, fresh.accessToken))),
      );
    }),
  );
};
