import pino, { type Logger as PinoLogger, type LevelWithSilent, type LoggerOptions } from 'pino';
import { redactError } from './error-redaction';
import { otel, traceLogFields } from './tracing';

export type KernelLogger = PinoLogger;

const serializeError = (error: unknown): unknown => pino.stdSerializers.err(redactError(error) as Error);

/** The root pino logger; plugin and request loggers are its children (and inherit its serializers). */
export function createKernelLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): KernelLogger {
  const level = (options.level ?? 'info') as LevelWithSilent;
  const settings: LoggerOptions = {
    level,
    base: { service: 'valueverse' },
    // Errors are logged without the SQL and row values database errors carry (issue #10, finding 8), under either
    // key: an error under `error` would otherwise be written with all its enumerable fields, statement included.
    serializers: { err: serializeError, error: serializeError },
  };
  // Tracing on: every line written inside a span carries its trace_id and span_id (Jaeger finds the line's trace).
  const api = otel();
  if (api) settings.mixin = () => traceLogFields(api);
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
