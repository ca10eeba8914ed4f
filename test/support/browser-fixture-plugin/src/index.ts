import { coreServices, definePlugin } from '@valueverse/plugin-sdk';

/** The browser suite's third-party plugin: one route its custom element calls through the `api` it is given. */
export const plugin = definePlugin({
  deps: { http: coreServices.http },
  setup({ http }) {
    http.route({
      method: 'GET',
      path: '/insights/summary',
      summary: 'A fixed summary, proving the page reached the API with the user session',
      minRole: 'viewer',
      handler: (request) => ({ message: `3 insights for ${request.tenant.id}` }),
    });
  },
});
