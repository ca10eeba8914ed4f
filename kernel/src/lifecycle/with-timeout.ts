import { VvError } from '@valueverse/plugin-sdk';

/**
 * Runs one lifecycle phase of one plugin with a deadline. The phase keeps running in the background after the
 * deadline (JavaScript cannot cancel it); the caller marks the plugin failed and ignores whatever it does later.
 */
export async function withTimeout<T>(work: () => T | Promise<T>, timeoutMs: number, plugin: string, phase: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new VvError('VV_PLUGIN_SETUP_TIMEOUT', { params: { plugin, phase, timeoutMs } })), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([Promise.resolve().then(work), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
