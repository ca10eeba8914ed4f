import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { servicesRequired } from './services';

/** Debian's Chromium (`apt-get install -y chromium`); playwright's own browsers are never downloaded. */
export const CHROMIUM_PATH = process.env['VV_CHROMIUM_PATH'] ?? '/usr/bin/chromium';

const REPO = resolve(__dirname, '../..');
/** The built admin console the host serves (host/src/static-ui.ts). */
export const ADMIN_UI_INDEX = join(REPO, 'admin-ui/dist/admin-ui/browser/index.html');
/** Screenshots of the browser suites (gitignored). */
export const ARTIFACTS_DIR = join(REPO, 'test/artifacts');

// Flags proven on these machines (docs/stack.md "Front end (admin-ui)"): no sandbox in containers, no GPU, and nothing that phones home.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The suite works in two tabs: the one in the background must keep its timers and rendering at full speed.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
  '--disable-backgrounding-occluded-windows',
];

/**
 * A `describe` that runs when Chromium is installed; otherwise reported as skipped with the reason, or failed when
 * VV_REQUIRE_SERVICES=1 (CI installs Chromium in .ci/run).
 */
export function describeInBrowser(name: string, fn: () => void): void {
  if (existsSync(CHROMIUM_PATH)) {
    describe(name, fn);
    return;
  }
  const reason = `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install -y chromium, or set VV_CHROMIUM_PATH)`;
  if (servicesRequired()) {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`${reason}, and VV_REQUIRE_SERVICES=1 makes that a failure`);
      });
    });
    return;
  }
  console.warn(`Skipping "${name}": ${reason}. Set VV_REQUIRE_SERVICES=1 to make this a failure.`);
  describe.skip(name, fn);
}

/** Launches Chromium on a fresh profile (a persistent context: `--user-data-dir` as an argument is refused). */
export async function launchBrowser(options: { width?: number; height?: number } = {}): Promise<{ context: BrowserContext; profileDir: string }> {
  const profileDir = mkdtempSync(join(tmpdir(), 'vv-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    locale: 'en-US',
    timezoneId: 'UTC',
    // No transitions: screenshots show the finished state (dialogs fully open), and steps need no settling time.
    reducedMotion: 'reduce',
  });
  return { context, profileDir };
}

/** The newest modification time (ms) of the console's sources and build configuration. */
function newestSource(): number {
  const uiDir = join(REPO, 'admin-ui');
  let newest = 0;
  const visit = (path: string) => {
    const stats = statSync(path);
    if (stats.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else newest = Math.max(newest, stats.mtimeMs);
  };
  for (const entry of ['src', 'public', 'angular.json', 'tsconfig.json', 'tsconfig.app.json', 'package.json']) {
    if (existsSync(join(uiDir, entry))) visit(join(uiDir, entry));
  }
  return newest;
}

/**
 * Builds the admin console when it is not built yet (a fresh clone that ran `npm ci` but not `npm run build`) or
 * when its sources changed since the last build, so the suite never tests a stale console. Takes 10-30 s.
 */
export function ensureAdminUiBuilt(): void {
  if (existsSync(ADMIN_UI_INDEX) && statSync(ADMIN_UI_INDEX).mtimeMs >= newestSource()) return;
  execFileSync('npm', ['run', 'build', '-w', 'admin-ui'], { cwd: REPO, stdio: 'inherit', timeout: 240_000, env: { ...process.env, NG_CLI_ANALYTICS: 'false' } });
  if (!existsSync(ADMIN_UI_INDEX)) throw new Error(`building admin-ui did not produce ${ADMIN_UI_INDEX}`);
}

/**
 * A plugins directory for a host: links to every first-party plugin of the repository plus the given fixture
 * plugin folders (the host discovers plugins in one directory's subfolders and follows symlinks).
 */
export function pluginsDirWith(...fixtures: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'vv-plugins-'));
  const firstParty = join(REPO, 'plugins');
  for (const name of readdirSync(firstParty)) {
    if (existsSync(join(firstParty, name, 'plugin.json'))) symlinkSync(join(firstParty, name), join(dir, name), 'dir');
  }
  for (const fixture of fixtures) symlinkSync(fixture, join(dir, fixture.split(/[\\/]/).pop()!), 'dir');
  return dir;
}

/** The artifacts folder of one suite, created. */
export function artifactsDir(suite: string): string {
  const dir = join(ARTIFACTS_DIR, suite);
  mkdirSync(dir, { recursive: true });
  return dir;
}
