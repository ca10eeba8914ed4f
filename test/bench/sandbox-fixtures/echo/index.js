'use strict';
const { definePlugin, coreServices } = require('@valueverse/plugin-sdk');

exports.plugin = definePlugin({
  deps: { http: coreServices.http },
  setup({ http }) {
    http.route({ method: 'GET', path: '/echo', handler: (req) => ({ ok: true, tenant: req.tenant.id }) });
  },
});
