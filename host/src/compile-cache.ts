import { enableCompileCache } from 'node:module';

/**
 * Node's on-disk compile cache (Node 22.1+; the runtime is Node 24, docs/stack.md "Runtime") for every module loaded
 * after this one: V8 keeps the compiled code of the host, the kernel, the plugins and their dependencies in
 * `os.tmpdir()/node-compile-cache` (NODE_COMPILE_CACHE=dir moves it; NODE_DISABLE_COMPILE_CACHE=1 turns it off), so
 * every start after the first loads them faster (measured here: loading the host and @langchain/openai took
 * 1.8-2.4 s instead of 2.1-3.1 s, about a fifth less, alternating rounds on a shared machine). A cache directory that
 * cannot be written (a read-only /tmp) only leaves it off: enableCompileCache reports that, it does not throw.
 * cli.ts imports this first, before anything it speeds up. The optional call keeps the built host starting on an
 * older Node, which `npm run bench` still runs as its baseline.
 */
export const compileCache: ReturnType<typeof enableCompileCache> | undefined = enableCompileCache?.();
