import { randomUUID } from 'node:crypto';
import type { PluginDatabase, SqlTransaction } from '@valueverse/plugin-sdk';

/** The page object a conversation is about: the agent reads it first and the chat panel shows it. */
export interface AgentContext {
  readonly kind: 'value-model' | 'commitment' | 'realization';
  readonly id: string;
}

export interface Conversation {
  readonly id: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly title: string;
  readonly context: AgentContext | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A tool call of the agent, as the conversation keeps it (arguments and a short outcome, never a secret). */
export interface ToolCallRecord {
  readonly name: string;
  readonly arguments: unknown;
  readonly outcome: 'ok' | 'refused' | 'failed';
  readonly summary: string;
  readonly artifactId?: string;
}

export type MessageStatus = 'complete' | 'streaming' | 'cancelled' | 'failed';

export interface AgentMessage {
  readonly id: string;
  readonly conversationId: string;
  readonly seq: number;
  readonly role: 'user' | 'assistant';
  readonly content: string;
  readonly toolCalls: readonly ToolCallRecord[] | null;
  readonly status: MessageStatus;
  readonly tokens: number;
  readonly createdAt: string;
}

export type ArtifactKind = 'model-draft' | 'model-change' | 'commitment-proposal' | 'chart';
export type ArtifactStatus = 'proposed' | 'applied' | 'discarded';

export interface Artifact {
  readonly id: string;
  readonly conversationId: string;
  readonly kind: ArtifactKind;
  readonly title: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly status: ArtifactStatus;
  /** What applying it made (e.g. `{ modelId, version }`), or null. */
  readonly result: Readonly<Record<string, unknown>> | null;
  readonly createdAt: string;
  readonly decidedAt: string | null;
}

type Row = Record<string, unknown>;
const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));
const isoOrNull = (value: unknown): string | null => (value === null || value === undefined ? null : iso(value));

const toConversation = (r: Row): Conversation => ({
  id: r['id'] as string,
  tenantId: r['tenant_id'] as string,
  userId: r['user_id'] as string,
  title: r['title'] as string,
  context: (r['context'] as AgentContext | null) ?? null,
  createdAt: iso(r['created_at']),
  updatedAt: iso(r['updated_at']),
});
const toMessage = (r: Row): AgentMessage => ({
  id: r['id'] as string,
  conversationId: r['conversation_id'] as string,
  seq: Number(r['seq']),
  role: r['role'] as AgentMessage['role'],
  content: r['content'] as string,
  toolCalls: (r['tool_calls'] as ToolCallRecord[] | null) ?? null,
  status: r['status'] as MessageStatus,
  tokens: Number(r['tokens']),
  createdAt: iso(r['created_at']),
});
const toArtifact = (r: Row): Artifact => ({
  id: r['id'] as string,
  conversationId: r['conversation_id'] as string,
  kind: r['kind'] as ArtifactKind,
  title: r['title'] as string,
  payload: r['payload'] as Record<string, unknown>,
  status: r['status'] as ArtifactStatus,
  result: (r['result'] as Record<string, unknown> | null) ?? null,
  createdAt: iso(r['created_at']),
  decidedAt: isoOrNull(r['decided_at']),
});

/** The month a token counts toward, `YYYY-MM` in UTC. */
export function budgetMonth(at: Date = new Date()): string {
  return at.toISOString().slice(0, 7);
}

/**
 * Conversations, messages, artifacts and token usage. Every statement names the tenant (row-level security holds it
 * there too) and, for conversations and artifacts, the user: another user's conversation does not exist for you.
 */
export class ConversationStore {
  constructor(private readonly db: PluginDatabase) {}

  create(tenantId: string, userId: string, title: string, context: AgentContext | null): Promise<Conversation> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query(
        `insert into conversations (id, tenant_id, user_id, title, context, created_at, updated_at) values ($1, $2, $3, $4, $5, now(), now()) returning *`,
        [randomUUID(), tenantId, userId, title, context === null ? null : JSON.stringify(context)],
      );
      return toConversation(row!);
    });
  }

  list(tenantId: string, userId: string, limit: number): Promise<Conversation[]> {
    return this.db.transaction(tenantId, async (tx) =>
      (await tx.query('select * from conversations where tenant_id = $1 and user_id = $2 order by updated_at desc, id desc limit $3', [tenantId, userId, limit])).map(
        toConversation,
      ),
    );
  }

  get(tenantId: string, userId: string, id: string): Promise<Conversation | undefined> {
    return this.db.transaction(tenantId, async (tx) => this.conversation(tx, tenantId, userId, id));
  }

  /** The conversation with its messages (oldest first) and artifacts. */
  detail(tenantId: string, userId: string, id: string): Promise<(Conversation & { messages: AgentMessage[]; artifacts: Artifact[] }) | undefined> {
    return this.db.transaction(tenantId, async (tx) => {
      const conversation = await this.conversation(tx, tenantId, userId, id);
      if (!conversation) return undefined;
      const messages = (await tx.query('select * from messages where tenant_id = $1 and conversation_id = $2 order by seq', [tenantId, id])).map(toMessage);
      const artifacts = (await tx.query('select * from artifacts where tenant_id = $1 and conversation_id = $2 order by created_at, id', [tenantId, id])).map(toArtifact);
      return { ...conversation, messages, artifacts };
    });
  }

  remove(tenantId: string, userId: string, id: string): Promise<boolean> {
    return this.db.transaction(
      tenantId,
      async (tx) => (await tx.query('delete from conversations where tenant_id = $1 and user_id = $2 and id = $3 returning id', [tenantId, userId, id])).length > 0,
    );
  }

  /**
   * What a new turn needs before the model is called, in one statement: the user's conversation, the tenant's tokens
   * used this month and the history (oldest first). Undefined when the user has no such conversation.
   */
  readTurn(tenantId: string, userId: string, conversationId: string): Promise<{ conversation: Conversation; tokensUsed: number; history: AgentMessage[] } | undefined> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query(
        `select c.*,
           (select tokens from token_usage u where u.tenant_id = $1 and u.month = $4) as tokens_used,
           (select coalesce(json_agg(m order by m.seq), '[]'::json) from messages m where m.tenant_id = $1 and m.conversation_id = c.id) as history
         from conversations c where c.tenant_id = $1 and c.user_id = $2 and c.id = $3`,
        [tenantId, userId, conversationId, budgetMonth()],
      );
      if (!row) return undefined;
      return { conversation: toConversation(row), tokensUsed: Number(row['tokens_used'] ?? 0), history: (row['history'] as Row[]).map(toMessage) };
    });
  }

  /** Stores a turn's question and its (still empty) reply, made by the caller with their ids and places. */
  saveTurn(tenantId: string, message: AgentMessage, reply: AgentMessage): Promise<void> {
    return this.db.transaction(tenantId, async (tx) => {
      await tx.query(
        `insert into messages (id, conversation_id, tenant_id, seq, role, content, status, created_at)
         values ($1, $3, $4, $5, 'user', $6, 'complete', $7), ($2, $3, $4, $5 + 1, 'assistant', '', $8, $7)`,
        [message.id, reply.id, message.conversationId, tenantId, message.seq, message.content, message.createdAt, reply.status],
      );
      await tx.query('update conversations set updated_at = now() where tenant_id = $1 and id = $2', [tenantId, message.conversationId]);
    });
  }

  /** Stores the end of a reply; undefined when it is gone (its conversation was deleted meanwhile). */
  finishMessage(
    tenantId: string,
    id: string,
    fields: { content: string; status: MessageStatus; toolCalls: readonly ToolCallRecord[]; tokens: number },
  ): Promise<AgentMessage | undefined> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query('update messages set content = $3, status = $4, tool_calls = $5, tokens = $6 where tenant_id = $1 and id = $2 returning *', [
        tenantId,
        id,
        fields.content,
        fields.status,
        JSON.stringify(fields.toolCalls),
        fields.tokens,
      ]);
      return row ? toMessage(row) : undefined;
    });
  }

  addArtifact(tenantId: string, userId: string, conversationId: string, artifact: { kind: ArtifactKind; title: string; payload: Record<string, unknown> }): Promise<Artifact> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query(
        `insert into artifacts (id, conversation_id, tenant_id, user_id, kind, title, payload, status, created_at) values ($1, $2, $3, $4, $5, $6, $7, 'proposed', now()) returning *`,
        [randomUUID(), conversationId, tenantId, userId, artifact.kind, artifact.title, JSON.stringify(artifact.payload)],
      );
      return toArtifact(row!);
    });
  }

  artifact(tenantId: string, userId: string, id: string): Promise<Artifact | undefined> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query('select * from artifacts where tenant_id = $1 and user_id = $2 and id = $3', [tenantId, userId, id]);
      return row ? toArtifact(row) : undefined;
    });
  }

  /**
   * Moves a proposed artifact to `status`; undefined when it is no longer proposed (applied or discarded meanwhile),
   * so two clicks cannot apply it twice.
   */
  decide(tenantId: string, userId: string, id: string, status: Exclude<ArtifactStatus, 'proposed'>, result: Record<string, unknown> | null): Promise<Artifact | undefined> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query(
        `update artifacts set status = $4, result = $5, decided_at = now() where tenant_id = $1 and user_id = $2 and id = $3 and status = 'proposed' returning *`,
        [tenantId, userId, id, status, result === null ? null : JSON.stringify(result)],
      );
      return row ? toArtifact(row) : undefined;
    });
  }

  /** Records what applying a claimed artifact made. */
  recordResult(tenantId: string, id: string, result: Record<string, unknown>): Promise<Artifact> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query('update artifacts set result = $3 where tenant_id = $1 and id = $2 returning *', [tenantId, id, JSON.stringify(result)]);
      return toArtifact(row!);
    });
  }

  /** Puts a claimed artifact back to proposed (its apply failed). */
  reopen(tenantId: string, id: string): Promise<void> {
    return this.db.transaction(
      tenantId,
      async (tx) => void (await tx.query(`update artifacts set status = 'proposed', result = null, decided_at = null where tenant_id = $1 and id = $2`, [tenantId, id])),
    );
  }

  tokensUsed(tenantId: string, month: string): Promise<number> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query('select tokens from token_usage where tenant_id = $1 and month = $2', [tenantId, month]);
      return row ? Number(row['tokens']) : 0;
    });
  }

  addTokens(tenantId: string, month: string, tokens: number): Promise<number> {
    return this.db.transaction(tenantId, async (tx) => {
      const [row] = await tx.query(
        `insert into token_usage (tenant_id, month, tokens) values ($1, $2, $3)
         on conflict (tenant_id, month) do update set tokens = token_usage.tokens + excluded.tokens returning tokens`,
        [tenantId, month, tokens],
      );
      return Number(row!['tokens']);
    });
  }

  private async conversation(tx: SqlTransaction, tenantId: string, userId: string, id: string): Promise<Conversation | undefined> {
    const [row] = await tx.query('select * from conversations where tenant_id = $1 and user_id = $2 and id = $3', [tenantId, userId, id]);
    return row ? toConversation(row) : undefined;
  }
}
