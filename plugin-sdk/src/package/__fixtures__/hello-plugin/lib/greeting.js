// Bundled into the package's main file: nothing under lib/ is shipped as its own entry.
exports.greeting = (name) => `Hello, ${name}!`;
