import { coreServices, definePlugin } from '@valueverse/plugin-sdk';
import { commitmentsRef, type CommitmentStatus } from '../commitments-api';

/** A consumer of `value-commitments`, as the executor and amplifier are: it reads commitments through the service ref. */
export const probeManifest = {
  id: 'commitment-probe',
  version: '1.0.0',
  displayName: 'Commitment probe',
  kernel: '^1.0.0',
  main: 'index.js',
  requires: { 'value-committer': '^1.0.0' },
  routes: ['/probe'],
};

export const probePlugin = definePlugin({
  deps: { http: coreServices.http, commitments: commitmentsRef },
  setup({ http, commitments }) {
    http.route({
      method: 'GET',
      path: '/probe/commitments',
      handler: async (request) => {
        const status = request.query['status'];
        return commitments.list(request.tenant.id, status === undefined ? undefined : { status: String(status).split(',') as CommitmentStatus[] });
      },
    });
    http.route({
      method: 'GET',
      path: '/probe/commitments/:id',
      handler: async (request) => (await commitments.get(request.tenant.id, request.params['id']!)) ?? { missing: true },
    });
  },
});
