import type { JsonSchema, Role } from '@valueverse/plugin-sdk';
import type { ArtifactKind } from '../conversations/conversation-store';

/** Who the agent works for and where: every tool acts within this tenant, as this user. */
export interface ToolContext {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
  readonly signal: AbortSignal;
}

/** A proposal a tool made; it is stored and shown as a card, and only the user's Apply makes it real. */
export interface ArtifactDraft {
  readonly kind: ArtifactKind;
  readonly title: string;
  readonly payload: Record<string, unknown>;
}

export interface ToolOutcome {
  /** What the model reads back (kept small: figures, ids, names). */
  readonly result: unknown;
  /** One line for the conversation's record of tool calls. */
  readonly summary: string;
  readonly artifact?: ArtifactDraft;
}

/**
 * One tool the agent may call: a thin wrapper around another plugin's service. It is offered to the model only when
 * `plugin` is enabled for the tenant, and a tool that `proposes` (makes an artifact of a write) only to roles that
 * may write.
 */
export interface AgentTool {
  /** OpenAI function name: letters, digits, `_`. */
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments; arguments that do not match are refused before `run`. */
  readonly parameters: JsonSchema;
  /** The plugin whose service the tool calls. */
  readonly plugin: string;
  /** True for a tool whose outcome is a proposed write (model draft or change, commitment). */
  readonly proposes: boolean;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- arguments are checked against `parameters` first
  run(args: any, context: ToolContext): Promise<ToolOutcome>;
}
