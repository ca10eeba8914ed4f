import nodeModule from 'node:module';

// Imported first by cli.ts, before anything heavy is required. Node 22.1+ keeps V8's compiled code for every
// module in a disk cache (NODE_COMPILE_CACHE, default under the OS temp folder), so later starts skip compiling
// every module the host loads (compiling them was the largest single part of a start's CPU, issue #14). On Node 20 the
// function does not exist and this does nothing.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
