import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import type { Role } from './session';
import { SessionService } from './session.service';

/** Signed-in users only; others go to the sign-in page and come back to where they were going. */
export const requireSession: CanActivateFn = (_route, state) => {
  if (inject(SessionService).signedIn()) return true;
  return inject(Router).createUrlTree(['/sign-in'], { queryParams: { returnUrl: state.url } });
};

/** Users with at least `role` in the current tenant (platform admins always). */
export function requireRole(role: Role): CanActivateFn {
  return () => {
    const session = inject(SessionService);
    if (session.hasRole(role)) return true;
    return inject(Router).createUrlTree(['/workspace'], { queryParams: { denied: role } });
  };
}
