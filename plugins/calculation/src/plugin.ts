import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { calculationRef } from './calculation-service';
import { createCalculationService } from './create-calculation-service';
import { createCalculationRoutes } from './http/calculation-routes';

/**
 * The calculation plugin: financial functions, value-model evaluation, scenarios and Monte Carlo, served under
 * `/api/v1/calculate/*` and provided in-process as the `calculation` service.
 */
export const plugin = definePlugin({
  deps: { http: coreServices.http },
  setup({ http }, registrar) {
    const service = createCalculationService();
    for (const route of createCalculationRoutes(service)) http.route(route);
    registrar.provide(calculationRef, service);
  },
});
