import pino, { type Logger as PinoLogger, type LevelWithSilent } from 'pino';

export type KernelLogger = PinoLogger;

/** The root pino logger; plugin and request loggers are its children. */
export function createKernelLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): KernelLogger {
  const level = (options.level ?? 'info') as LevelWithSilent;
  return options.destination ? pino({ level, base: { service: 'valueverse' } }, options.destination) : pino({ level, base: { service: 'valueverse' } });
}
