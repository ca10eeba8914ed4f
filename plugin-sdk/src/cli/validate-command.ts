import { resolve } from 'node:path';
import { checkPluginDirectory } from '../package/check-plugin-directory';
import type { CliCommand } from './cli-command';

/** `vv-plugin validate [dir]`: the plugin folder as the kernel and `pack` will see it. */
export const validateCommand: CliCommand = {
  name: 'validate',
  summary: 'check plugin.json (as the kernel does), the main file and package.json',
  usage: 'vv-plugin validate [dir]\n\n  dir  the plugin folder (default: the current folder)',
  options: {},
  async run({ positionals }, io) {
    const checked = await checkPluginDirectory(resolve(io.cwd, positionals[0] ?? '.'));
    io.out(`ok ${checked.manifest.id}@${checked.manifest.version} (${checked.dir})`);
    return 0;
  },
};
