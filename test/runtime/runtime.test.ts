import { execFileSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { machineNode, pinnedRuntime, supportedRuntimes } from '../support/runtime';

// Issue #12: the suites run on the Node the repository pins (node_modules/.bin/node, first on the PATH of every npm
// script), not on whatever Node the machine has. jest's globalSetup prints the version; this fails when it is wrong.
describe('the runtime the tests run on', () => {
  const pinned = pinnedRuntime();

  it('satisfies engines.node (Node 24 LTS)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number);
    const [, minMajor, minMinor] = /^>=(\d+)\.(\d+)$/.exec(supportedRuntimes())!.map(Number);
    expect(major).toBe(24);
    expect(major! > minMajor! || minor! >= minMinor!).toBe(true);
  });

  (pinned ? it : it.skip)('is exactly the pinned binary when npm installed it for this platform', () => {
    expect(process.version).toBe(`v${pinned!.version}`);
    // This test file runs in a jest worker: forked with the parent's execPath, so the workers are on it too.
    expect(realpathSync(process.execPath)).toBe(realpathSync(pinned!.bin));
  });

  // Under an npm script (npm test, npx jest) a child started as plain `node` finds the pinned binary first on PATH.
  (pinned && process.env['npm_command'] ? it : it.skip)('is what a child process started as `node` gets under npm', () => {
    expect(execFileSync('node', ['-p', 'process.version'], { encoding: 'utf8' }).trim()).toBe(`v${pinned!.version}`);
  });

  it("finds the machine's own Node outside node_modules/.bin, never the running binary, for the benchmarks' baseline", () => {
    const found = machineNode({ PATH: [`${process.cwd()}/node_modules/.bin`, '/nonexistent'].join(':') });
    expect(found).toBeUndefined();
    expect(machineNode({ VV_BENCH_BASELINE_NODE: '/opt/node20/bin/node', PATH: '' })).toBe('/opt/node20/bin/node');
    const other = machineNode();
    if (other) expect(realpathSync(other)).not.toBe(realpathSync(process.execPath));
  });
});
