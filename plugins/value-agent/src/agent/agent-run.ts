/** One frame of a run, as the client receives it (server-sent event name and JSON data). */
export interface RunFrame {
  readonly event: 'message' | 'token' | 'tool' | 'artifact' | 'done' | 'error';
  readonly data: unknown;
}

/**
 * A run of the agent on one message: its frames kept in order for whoever listens (the SSE response of the message
 * request, and a client that attaches later), and the controller that cancels it.
 */
export class AgentRun {
  readonly controller = new AbortController();
  private readonly frames: RunFrame[] = [];
  private readonly listeners = new Set<(frame: RunFrame | undefined) => void>();
  private finished = false;

  constructor(
    readonly conversationId: string,
    readonly userId: string,
  ) {}

  get done(): boolean {
    return this.finished;
  }

  emit(frame: RunFrame): void {
    if (this.finished) return;
    this.frames.push(frame);
    for (const listener of this.listeners) listener(frame);
  }

  end(): void {
    if (this.finished) return;
    this.finished = true;
    for (const listener of this.listeners) listener(undefined);
    this.listeners.clear();
  }

  /** Calls `listener` with every frame so far, then each new one, then `undefined` at the end. Returns the unsubscribe. */
  listen(listener: (frame: RunFrame | undefined) => void): () => void {
    for (const frame of this.frames) listener(frame);
    if (this.finished) {
      listener(undefined);
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
