/** One server-sent event block: its fields, and the comments it carried. */
export interface SseFrame {
  readonly id?: string;
  readonly event?: string;
  readonly data?: string;
  readonly retry?: string;
  readonly comments: readonly string[];
}

export interface SseClient {
  readonly status: number;
  readonly headers: Headers;
  /** The next frame that satisfies `accept` (default: any event with data), skipping others; rejects after `timeoutMs`. */
  next(accept?: (frame: SseFrame) => boolean, timeoutMs?: number): Promise<SseFrame>;
  /** Every frame received so far. */
  readonly frames: readonly SseFrame[];
  /** What an EventSource would send as `Last-Event-ID` on reconnecting: the last `id:` received, in any frame. */
  readonly lastEventId: string;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  /** Hangs up. */
  close(): void;
}

const isEvent = (frame: SseFrame) => frame.data !== undefined;

/**
 * Opens an event stream with Node's fetch and parses it as a browser's EventSource would (fields per line, blocks
 * separated by a blank line), without reconnecting. For tests; the response body of a non-200 answer is not read.
 */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const frames: SseFrame[] = [];
  const waiters = new Set<() => void>();
  let cursor = 0;
  let finished = false;
  let lastEventId = '';
  const ended = (async () => {
    if (res.status !== 200 || !res.body) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = parse(buffer.slice(0, end));
          frames.push(frame);
          // An id with U+0000 is ignored (WHATWG HTML, "process the field"); an empty one clears the last id.
          if (frame.id !== undefined && !frame.id.includes('\0')) lastEventId = frame.id;
          buffer = buffer.slice(end + 2);
          for (const wake of waiters) wake();
        }
      }
    } catch {
      // aborted by close()
    } finally {
      finished = true;
      for (const wake of waiters) wake();
    }
  })();

  return {
    status: res.status,
    headers: res.headers,
    frames,
    get lastEventId() {
      return lastEventId;
    },
    ended,
    close: () => abort.abort(),
    next: (accept = isEvent, timeoutMs = 5000) =>
      new Promise<SseFrame>((resolve, reject) => {
        const check = () => {
          while (cursor < frames.length) {
            const frame = frames[cursor++]!;
            if (accept(frame)) {
              done();
              resolve(frame);
              return;
            }
          }
          if (finished) {
            done();
            reject(new Error('the stream ended'));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames)}`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
  };
}

function parse(block: string): SseFrame {
  const fields: Record<string, string> = {};
  const comments: string[] = [];
  for (const line of block.split(/\r\n|\r|\n/)) {
    if (line.startsWith(':')) {
      comments.push(line.slice(1).trim());
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    fields[name] = name === 'data' && fields.data !== undefined ? `${fields.data}\n${value}` : value;
  }
  return { id: fields.id, event: fields.event, data: fields.data, retry: fields.retry, comments };
}
