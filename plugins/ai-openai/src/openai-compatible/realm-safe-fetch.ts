/**
 * `fetch` whose failures are errors of this realm. The OpenAI client recognizes a timeout (its own abort) only by
 * `error instanceof Error && error.name === 'AbortError'`; where `fetch` comes from another realm than the client's
 * `Error` (jest's vm sandbox, some workers) the abort is not recognized and a timeout reads as "Connection error.".
 * Re-creating the error here keeps its name, message and cause; in a plain Node process it is passed on as is.
 */
export const realmSafeFetch: typeof fetch = (input, init) =>
  fetch(input, init).catch((error: unknown) => {
    if (error instanceof Error || typeof error !== 'object' || error === null) throw error;
    const foreign = error as { name?: unknown; message?: unknown; cause?: unknown };
    const local = new Error(typeof foreign.message === 'string' ? foreign.message : String(error), { cause: foreign.cause });
    if (typeof foreign.name === 'string') local.name = foreign.name;
    throw local;
  });
