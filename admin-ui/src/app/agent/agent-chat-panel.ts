import { ChangeDetectionStrategy, Component, ElementRef, OnDestroy, computed, effect, inject, input, output, signal, viewChild } from '@angular/core';
import { FormsModule } from '@angular/forms';
import { RouterLink } from '@angular/router';
import type { Subscription } from 'rxjs';
import { describeProblem, toProblem } from '../api/problem';
import { formatMoney, formatNumber } from '../ui/format';
import { AgentApi, type AgentArtifact, type AgentContext, type AgentFrame, type ToolCallRecord } from './agent-api';

interface ChatLine {
  readonly id: string;
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly status: string;
  readonly tools: readonly ToolCallRecord[];
}

const CONTEXT_LABEL: Record<AgentContext['kind'], string> = { 'value-model': 'this value model', commitment: 'this commitment', realization: "this commitment's realization" };

/**
 * The value agent beside the page: the user asks, the answer streams in token by token, the agent's tool calls show
 * as they happen, and what it proposes (a model draft or change, a commitment, a chart) shows as a card with Apply
 * and Discard. Nothing changes in the workspace until Apply. Loaded on demand (`@defer` in the shell).
 */
@Component({
  selector: 'vv-agent-chat-panel',
  imports: [FormsModule, RouterLink],
  templateUrl: './agent-chat-panel.html',
  styleUrl: './agent-chat-panel.scss',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AgentChatPanel implements OnDestroy {
  private readonly api = inject(AgentApi);

  /** The page object the conversation is about (a new conversation starts when it changes). */
  readonly context = input<AgentContext | null>(null);
  readonly closed = output<void>();

  protected readonly lines = signal<ChatLine[]>([]);
  protected readonly artifacts = signal<AgentArtifact[]>([]);
  protected readonly draft = signal('');
  protected readonly running = signal(false);
  protected readonly error = signal<string | undefined>(undefined);
  protected readonly busyArtifact = signal<string | undefined>(undefined);
  protected readonly contextLabel = computed(() => {
    const c = this.context();
    return c ? `About ${CONTEXT_LABEL[c.kind]}` : 'No page object';
  });

  private conversationId: string | undefined;
  private conversationContext: string | undefined;
  private subscription: Subscription | undefined;
  private readonly log = viewChild<ElementRef<HTMLElement>>('log');

  constructor() {
    // A new page object: the next question starts a new conversation about it.
    effect(() => {
      const key = JSON.stringify(this.context());
      if (this.conversationContext !== undefined && key !== this.conversationContext) this.conversationId = undefined;
    });
  }

  ngOnDestroy(): void {
    this.subscription?.unsubscribe();
  }

  protected artifactsOf(line: ChatLine): AgentArtifact[] {
    const ids = new Set(line.tools.map((t) => t.artifactId).filter(Boolean));
    return this.artifacts().filter((a) => ids.has(a.id));
  }

  protected money(value: unknown, currency = 'USD'): string {
    return typeof value === 'number' ? formatMoney(value, currency) : '—';
  }

  protected number(value: unknown): string {
    return typeof value === 'number' ? formatNumber(value) : String(value ?? '—');
  }

  protected barWidth(artifact: AgentArtifact, swing: number | null): number {
    const widest = Math.max(1, ...((artifact.payload['bars'] ?? []) as { swing: number | null }[]).map((b) => Math.abs(b.swing ?? 0)));
    return Math.round((Math.abs(swing ?? 0) / widest) * 100);
  }

  protected async send(): Promise<void> {
    const content = this.draft().trim();
    if (!content || this.running()) return;
    this.error.set(undefined);
    this.running.set(true);
    try {
      if (!this.conversationId) {
        const context = this.context();
        const started = await this.api.start(context, content.slice(0, 80));
        this.conversationId = started.id;
        this.conversationContext = JSON.stringify(context);
      }
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
      this.running.set(false);
      return;
    }
    this.draft.set('');
    this.subscription = this.api.send(this.conversationId, content).subscribe({
      next: (frame) => this.take(frame),
      error: (error: unknown) => {
        this.error.set(describeProblem(toProblem(error)));
        this.running.set(false);
      },
      complete: () => this.running.set(false),
    });
  }

  protected async cancel(): Promise<void> {
    if (this.conversationId) await this.api.cancel(this.conversationId).catch(() => undefined);
  }

  protected async decide(artifact: AgentArtifact, action: 'apply' | 'discard'): Promise<void> {
    this.busyArtifact.set(artifact.id);
    this.error.set(undefined);
    try {
      const updated = action === 'apply' ? await this.api.apply(artifact.id) : await this.api.discard(artifact.id);
      this.artifacts.update((all) => all.map((a) => (a.id === updated.id ? updated : a)));
    } catch (error) {
      this.error.set(describeProblem(toProblem(error)));
    } finally {
      this.busyArtifact.set(undefined);
    }
  }

  protected onKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      void this.send();
    }
  }

  private take(frame: AgentFrame): void {
    switch (frame.event) {
      case 'message': {
        const { message, reply } = frame.data;
        this.lines.update((all) => [
          ...all,
          { id: message.id, role: 'user', content: message.content, status: 'complete', tools: [] },
          { id: reply.id, role: 'assistant', content: '', status: 'streaming', tools: [] },
        ]);
        break;
      }
      case 'token':
        this.updateLast((line) => ({ ...line, content: line.content + frame.data.delta }));
        break;
      case 'tool':
        if (frame.data.outcome !== 'started') this.updateLast((line) => ({ ...line, tools: [...line.tools, frame.data] }));
        break;
      case 'artifact':
        this.artifacts.update((all) => [...all, frame.data]);
        break;
      case 'done':
        this.updateLast((line) => ({ ...line, content: frame.data.message.content, status: frame.data.message.status }));
        break;
      case 'error':
        this.updateLast((line) => ({ ...line, status: 'failed' }));
        this.error.set(frame.data.detail);
        break;
    }
    queueMicrotask(() => {
      const log = this.log()?.nativeElement;
      if (log) log.scrollTop = log.scrollHeight;
    });
  }

  private updateLast(change: (line: ChatLine) => ChatLine): void {
    this.lines.update((all) => (all.length === 0 ? all : [...all.slice(0, -1), change(all[all.length - 1]!)]));
  }
}
