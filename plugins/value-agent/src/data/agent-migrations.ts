import type { PluginMigration } from '@valueverse/plugin-sdk';

// Run with search_path = value_agent. Every table carries tenant_id, so the kernel puts row-level security on each.

/** The agent's schema, oldest step first. */
export const agentMigrations: readonly PluginMigration[] = [
  {
    name: '0001-conversations',
    up: [
      // A conversation belongs to one user of one tenant; nobody else reads it (the store names both in every query).
      `create table conversations (
        id text primary key,
        tenant_id text not null,
        user_id text not null,
        title text not null,
        context jsonb,
        created_at timestamptz not null,
        updated_at timestamptz not null
      )`,
      'create index conversations_by_user on conversations (tenant_id, user_id, updated_at desc, id desc)',
      `create table messages (
        id text primary key,
        conversation_id text not null references conversations (id) on delete cascade,
        tenant_id text not null,
        seq integer not null,
        role text not null,
        content text not null,
        tool_calls jsonb,
        status text not null,
        tokens integer not null default 0,
        created_at timestamptz not null,
        unique (conversation_id, seq)
      )`,
      // What the agent proposes; nothing else in the platform changes until the user applies one.
      `create table artifacts (
        id text primary key,
        conversation_id text not null references conversations (id) on delete cascade,
        tenant_id text not null,
        user_id text not null,
        kind text not null,
        title text not null,
        payload jsonb not null,
        status text not null,
        result jsonb,
        created_at timestamptz not null,
        decided_at timestamptz
      )`,
      'create index artifacts_by_conversation on artifacts (tenant_id, conversation_id, created_at)',
      // Tokens used per tenant and calendar month (UTC), checked against the tenant's budget before each model call.
      `create table token_usage (
        tenant_id text not null,
        month text not null,
        tokens bigint not null default 0,
        primary key (tenant_id, month)
      )`,
    ],
    down: ['drop table token_usage', 'drop table artifacts', 'drop table messages', 'drop table conversations'],
  },
];
