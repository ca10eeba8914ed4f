import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { inspectPackage } from '../package/inspect-package';
import { PackageError } from '../package/package-error';
import { CliUsageError, type CliCommand } from './cli-command';

interface Problem {
  code?: string;
  title?: string;
  detail?: string;
  errors?: { pointer?: string; message?: string }[];
}

/** `vv-plugin publish <file> --registry <url> --token <token>`: uploads a signed package (`POST <url>/packages`). */
export const publishCommand: CliCommand = {
  name: 'publish',
  summary: 'upload a signed package to a registry',
  usage: [
    'vv-plugin publish <file> --registry <url> --token <token>',
    '',
    '  --registry <url>  the registry base URL, e.g. http://127.0.0.1:3000/api/v1/marketplace (default: $VV_MARKETPLACE_URL)',
    '  --token <token>   your publisher token',
  ].join('\n'),
  options: { registry: { type: 'string' }, token: { type: 'string' } },
  async run({ positionals, values }, io) {
    if (positionals.length !== 1) throw new CliUsageError('give exactly one package file');
    const registry = typeof values.registry === 'string' ? values.registry : io.env.VV_MARKETPLACE_URL;
    if (registry === undefined || registry === '') throw new CliUsageError('--registry <url> is required (or set VV_MARKETPLACE_URL)');
    if (typeof values.token !== 'string' || values.token === '') throw new CliUsageError('--token <token> is required');
    let url: URL;
    try {
      url = new URL(`${registry.replace(/\/+$/, '')}/packages`);
    } catch {
      throw new CliUsageError(`--registry "${registry}" is not a URL`);
    }
    const pkg = await readFile(resolve(io.cwd, positionals[0]));
    // Checked here first so that a broken or unsigned package is reported without a round trip (the registry checks again).
    const inspected = await inspectPackage(pkg);
    if (inspected.signature === null) throw new PackageError('VV_SIGNATURE_INVALID', `${inspected.pluginId}@${inspected.version} is not signed: run vv-plugin sign first`);

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${values.token}`, Accept: 'application/json, application/problem+json' },
      body: new Uint8Array(pkg),
    });
    const text = await response.text();
    if (response.ok) {
      io.out(`published ${inspected.pluginId}@${inspected.version} to ${registry} (${response.status})`);
      if (text !== '') io.out(text);
      return 0;
    }
    let problem: Problem | undefined;
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      problem = undefined;
    }
    if (problem?.code !== undefined) {
      io.err(`error ${problem.code}: ${problem.detail ?? problem.title ?? ''} (HTTP ${response.status})`);
      for (const e of problem.errors ?? []) io.err(`  ${e.pointer || '(root)'} ${e.message ?? ''}`);
    } else {
      io.err(`error: the registry answered HTTP ${response.status}${text === '' ? '' : `: ${text.slice(0, 500)}`}`);
    }
    return 1;
  },
};
