import { HttpClient, HttpDownloadProgressEvent, HttpEventType } from '@angular/common/http';
import { Injectable, inject } from '@angular/core';
import { Observable } from 'rxjs';
import { ApiClient } from '../api/api-client';
import { ProblemError, toProblem } from '../api/problem';

/** The page object a conversation is about. */
export interface AgentContext {
  readonly kind: 'value-model' | 'commitment' | 'realization';
  readonly id: string;
}

export interface ToolCallRecord {
  readonly name: string;
  readonly arguments?: unknown;
  readonly outcome: 'ok' | 'refused' | 'failed' | 'started';
  readonly summary?: string;
  readonly artifactId?: string;
}

export interface AgentMessage {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly status: 'complete' | 'streaming' | 'cancelled' | 'failed';
  readonly toolCalls: readonly ToolCallRecord[] | null;
}

export interface AgentArtifact {
  readonly id: string;
  readonly kind: 'model-draft' | 'model-change' | 'commitment-proposal' | 'chart';
  readonly title: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own payload shape
  readonly payload: Record<string, any>;
  readonly status: 'proposed' | 'applied' | 'discarded';
  readonly result: Record<string, unknown> | null;
}

export interface Conversation {
  readonly id: string;
  readonly title: string;
  readonly context: AgentContext | null;
  readonly messages?: AgentMessage[];
  readonly artifacts?: AgentArtifact[];
}

/** One server-sent frame of an answer. */
export type AgentFrame =
  | { readonly event: 'message'; readonly data: { message: AgentMessage; reply: AgentMessage } }
  | { readonly event: 'token'; readonly data: { delta: string } }
  | { readonly event: 'tool'; readonly data: ToolCallRecord }
  | { readonly event: 'artifact'; readonly data: AgentArtifact }
  | { readonly event: 'done'; readonly data: { message: AgentMessage } }
  | { readonly event: 'error'; readonly data: { code: string; detail: string; message?: AgentMessage } };

/** Splits server-sent event text into complete frames; returns them and the unfinished rest. */
export function parseFrames(text: string): { frames: AgentFrame[]; rest: string } {
  const blocks = text.split('\n\n');
  const rest = blocks.pop() ?? '';
  const frames: AgentFrame[] = [];
  for (const block of blocks) {
    const event = /^event: (.*)$/m.exec(block)?.[1];
    const data = block
      .split('\n')
      .filter((line) => line.startsWith('data: '))
      .map((line) => line.slice(6))
      .join('\n');
    if (event && data) frames.push({ event, data: JSON.parse(data) } as AgentFrame);
  }
  return { frames, rest };
}

const BASE = '/api/v1/agent';

/** The value agent's API (`/api/v1/agent`): conversations, streamed answers, and artifacts to apply or discard. */
@Injectable({ providedIn: 'root' })
export class AgentApi {
  private readonly api = inject(ApiClient);
  private readonly http = inject(HttpClient);

  start(context: AgentContext | null, title = 'Conversation'): Promise<Conversation> {
    return this.api.post<Conversation>(`${BASE}/conversations`, { title, context });
  }

  conversation(id: string): Promise<Conversation> {
    return this.api.get<Conversation>(`${BASE}/conversations/${encodeURIComponent(id)}`);
  }

  cancel(id: string): Promise<{ cancelled: boolean }> {
    return this.api.post(`${BASE}/conversations/${encodeURIComponent(id)}/cancel`);
  }

  apply(artifactId: string): Promise<AgentArtifact> {
    return this.api.post<AgentArtifact>(`${BASE}/artifacts/${encodeURIComponent(artifactId)}/apply`);
  }

  discard(artifactId: string): Promise<AgentArtifact> {
    return this.api.post<AgentArtifact>(`${BASE}/artifacts/${encodeURIComponent(artifactId)}/discard`);
  }

  /**
   * Sends a message and emits the answer's frames as they arrive (the response is a server-sent event stream read
   * progressively through HttpClient, so the auth interceptor applies), completing with the answer.
   */
  send(conversationId: string, content: string): Observable<AgentFrame> {
    return new Observable<AgentFrame>((subscriber) => {
      let seen = 0;
      let rest = '';
      const take = (text: string) => {
        rest += text.slice(seen);
        seen = text.length;
        const parsed = parseFrames(rest);
        rest = parsed.rest;
        for (const frame of parsed.frames) subscriber.next(frame);
      };
      const subscription = this.http
        .post(
          `${BASE}/conversations/${encodeURIComponent(conversationId)}/messages`,
          { content },
          {
            headers: { accept: 'text/event-stream' },
            observe: 'events',
            reportProgress: true,
            responseType: 'text',
          },
        )
        .subscribe({
          next: (event) => {
            if (event.type === HttpEventType.DownloadProgress) take((event as HttpDownloadProgressEvent).partialText ?? '');
            else if (event.type === HttpEventType.Response) take(`${event.body ?? ''}\n\n`);
          },
          error: (error: unknown) => subscriber.error(new ProblemError(toProblem(error))),
          complete: () => subscriber.complete(),
        });
      return () => subscription.unsubscribe();
    });
  }
}
