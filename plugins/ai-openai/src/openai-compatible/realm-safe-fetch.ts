/**
 * Wraps a `fetch` so its failures are errors of this realm. The OpenAI client recognizes a timeout (its own abort)
 * only by `error instanceof Error && error.name === 'AbortError'`; where the failure comes from another realm than
 * the client's `Error` (jest's vm sandbox, some workers) the abort is not recognized and a timeout reads as
 * "Connection error.". Re-creating the error here keeps its name, message and cause; an error of this realm (a
 * `VvError` such as `VV_OUTBOUND_REFUSED`, too) is passed on as is.
 */
export function realmSafe(send: typeof fetch): typeof fetch {
  return (input, init) =>
    send(input, init).catch((error: unknown) => {
      if (error instanceof Error || typeof error !== 'object' || error === null) throw error;
      const foreign = error as { name?: unknown; message?: unknown; cause?: unknown };
      const local = new Error(typeof foreign.message === 'string' ? foreign.message : String(error), { cause: foreign.cause });
      if (typeof foreign.name === 'string') local.name = foreign.name;
      throw local;
    });
}
