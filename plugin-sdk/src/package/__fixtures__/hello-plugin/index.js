// A CommonJS plugin in plain JavaScript: the package tests bundle it without a build step.
const { coreServices, definePlugin } = require('@valueverse/plugin-sdk');
const { greeting } = require('./lib/greeting');

exports.plugin = definePlugin({
  deps: { http: coreServices.http },
  setup({ http }) {
    http.route({ method: 'GET', path: '/hello-fixture', handler: () => ({ message: greeting('world') }) });
  },
});
