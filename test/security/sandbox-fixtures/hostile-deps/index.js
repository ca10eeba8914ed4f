'use strict';
const { definePlugin, createServiceRef } = require('@valueverse/plugin-sdk');

// `good` provides `good.secrets`, but it is not under `requires` in plugin.json: the kernel refuses the dependency.
exports.plugin = definePlugin({
  deps: { secrets: createServiceRef({ id: 'good.secrets' }) },
  setup() {},
});
