import { calculationRef } from '@valueverse/plugin-calculation/api';
import { coreServices, definePlugin, optionalRef } from '@valueverse/plugin-sdk';
import { valueModelsRef } from '@valueverse/plugin-value-architect/api';
import { commitmentsRef } from '@valueverse/plugin-value-committer/api';
import { realizationRef } from '@valueverse/plugin-value-executor/api';
import { createAmplifyRoutes } from './http/amplify-routes';

/**
 * The value amplifier: what to do next with a commitment under `/api/v1/amplify`. It stores nothing; it reads
 * commitments (value-committer), realization (value-executor) and the committed model (value-architect, optional),
 * and computes with the calculation plugin.
 */
export const plugin = definePlugin({
  deps: {
    http: coreServices.http,
    commitments: commitmentsRef,
    realization: realizationRef,
    calc: calculationRef,
    models: optionalRef(valueModelsRef),
  },
  setup({ http, commitments, realization, calc, models }) {
    for (const route of createAmplifyRoutes({ commitments, realization, calc, models })) http.route(route);
  },
});
