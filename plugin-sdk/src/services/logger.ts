// Its own module so that http-router.ts can use it without importing core-service-types.ts, which imports
// http-router.ts (a type-only circle; issue #13).

/** A structured logger (pino-compatible subset). */
export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}
