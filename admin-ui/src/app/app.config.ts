import { provideHttpClient, withFetch, withInterceptors } from '@angular/common/http';
import { type ApplicationConfig, inject, provideAppInitializer, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideRouter, withComponentInputBinding, withInMemoryScrolling } from '@angular/router';
import { routes } from './app.routes';
import { authInterceptor } from './session/auth.interceptor';
import { SessionService } from './session/session.service';
import { WorkspacePlugins } from './shell/workspace-plugins';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideHttpClient(withFetch(), withInterceptors([authInterceptor])),
    provideRouter(routes, withComponentInputBinding(), withInMemoryScrolling({ scrollPositionRestoration: 'top' })),
    // Runs before the first navigation: a deep link to a plugin page finds its runtime route after a reload.
    provideAppInitializer(() => {
      if (inject(SessionService).signedIn()) return inject(WorkspacePlugins).load();
      return undefined;
    }),
  ],
};
