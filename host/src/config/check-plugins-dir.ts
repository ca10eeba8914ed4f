import { stat } from 'node:fs/promises';
import { VvError } from '@valueverse/plugin-sdk';

/**
 * Refuses to boot on a `VV_PLUGINS_DIR` that is not a folder (issue #10, finding 8): a typo there used to boot
 * "0/0 plugins running" and report ready, i.e. a product with no capabilities that looked healthy. An empty folder
 * is accepted (a deployment may install every plugin at run time).
 *
 * @throws VvError `VV_CONFIG_INVALID` naming `VV_PLUGINS_DIR` and the path (a folder path holds no secret)
 */
export async function checkPluginsDir(pluginsDir: string): Promise<void> {
  const found = await stat(pluginsDir).catch(() => undefined);
  if (found?.isDirectory()) return;
  const message = `VV_PLUGINS_DIR ${found ? 'is not a folder' : 'does not exist'}: "${pluginsDir}" (point it at the folder whose subfolders hold plugin.json, or unset it for the built-in plugins)`;
  throw new VvError('VV_CONFIG_INVALID', {
    params: { subject: 'environment', problems: message },
    errors: [{ pointer: '/VV_PLUGINS_DIR', in: 'env', message }],
  });
}
