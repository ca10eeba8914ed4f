import { resolve } from 'node:path';
import { inspectPackage } from '../package/inspect-package';
import { packPluginDirectory } from '../package/pack-plugin-directory';
import type { CliCommand } from './cli-command';
import { writeFileAtomic } from './write-file-atomic';

/** `vv-plugin pack [dir] --out <file>`: an unsigned package of the plugin folder. */
export const packCommand: CliCommand = {
  name: 'pack',
  summary: 'bundle the plugin and write an unsigned package (.vvpkg)',
  usage:
    'vv-plugin pack [dir] [--out <file>]\n\n  dir          the plugin folder (default: the current folder)\n  --out <file> where to write the package (default: <id>-<version>.vvpkg in the current folder)',
  options: { out: { type: 'string', short: 'o' } },
  async run({ positionals, values }, io) {
    const pkg = await packPluginDirectory(resolve(io.cwd, positionals[0] ?? '.'));
    const { pluginId, version, files } = await inspectPackage(pkg);
    const out = resolve(io.cwd, typeof values.out === 'string' ? values.out : `${pluginId}-${version}.vvpkg`);
    await writeFileAtomic(out, pkg);
    io.out(`packed ${pluginId}@${version}: ${files.size} files, ${pkg.length} bytes → ${out}`);
    io.out(`next: vv-plugin sign ${out} --key <private key file>`);
    return 0;
  },
};
