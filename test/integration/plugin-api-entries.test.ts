/**
 * A plugin's `/api` package entry (its `*-api.ts`: service ref, contract types, events) lets a dependant import
 * what it needs without loading the plugin: no plugin module (`plugin.ts`, the package's `index.ts`) may be among
 * the modules that requiring the entry loads. Run in a fresh node process, so jest's own module registry and earlier
 * imports cannot hide a load.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const repo = resolve(__dirname, '..', '..');
const entries = {
  '@valueverse/plugin-calculation/api': ['calculationRef', 'valueModelSchema'],
  '@valueverse/plugin-value-architect/api': ['valueModelsRef', 'valueModelEvents'],
  '@valueverse/plugin-value-committer/api': ['commitmentsRef', 'commitmentEvents'],
  '@valueverse/plugin-value-executor/api': ['realizationRef', 'realizationEvents'],
  '@valueverse/plugin-billing/api': ['billingPaymentsRef', 'billingEvents'],
} as const;

describe('plugin /api entries', () => {
  it.each(Object.entries(entries))('%s gives its service ref without loading any plugin module', (entry, names) => {
    const script = `
      const api = require(${JSON.stringify(entry)});
      const loaded = Object.keys(require.cache).filter((f) => f.includes('/plugins/')).map((f) => f.slice(f.indexOf('/plugins/')));
      process.stdout.write(JSON.stringify({ exports: Object.keys(api).sort(), loaded }));`;
    const out = execFileSync(process.execPath, ['--conditions=@valueverse/source', '-r', './test/bench/register-ts.js', '-e', script], { cwd: repo, encoding: 'utf8' });
    const { exports, loaded } = JSON.parse(out) as { exports: string[]; loaded: string[] };
    expect(exports).toEqual(expect.arrayContaining([...names]));
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((f) => /\/src\/(plugin|index)\.ts$/.test(f))).toEqual([]);
  });
});
