import { randomUUID } from 'node:crypto';
import { LockMode, type EntityManager, type FilterQuery } from '@mikro-orm/core';
import { decodeCursor, encodeCursor, VvError, type Page, type PluginDatabase } from '@valueverse/plugin-sdk';
import type { Commitment, CommitmentStatus, CommittedDriver, MetricDefinition, Milestone, SuccessCriterion } from '../commitments-api';
import { CommitmentEntity, CommitmentTransitionEntity, type CommitmentRow } from '../data/commitment-entities';
import { allowedTransitions, canTransition, isSigned } from './commitment-lifecycle';
import type { CommitmentSimulation } from './committed-value';

/** What a commitment says: everything a user or the risk adjustment decides. */
export interface CommitmentContent {
  readonly title: string;
  readonly modelId: string;
  readonly modelVersion: number;
  readonly industry: string | null;
  readonly confidence: number;
  readonly baseValue: number;
  readonly committedValue: number;
  readonly currency: string;
  readonly drivers: readonly CommittedDriver[];
  readonly milestones: readonly Milestone[];
  readonly successCriteria: readonly SuccessCriterion[];
  readonly metrics: readonly MetricDefinition[];
  readonly simulation: CommitmentSimulation;
}

/** A commitment as the API shows it: the `Commitment` contract plus its bookkeeping. */
export interface CommitmentResource extends Commitment {
  readonly metrics: readonly MetricDefinition[];
  /** Id of the amendment made from this version, if any. */
  readonly amendedBy: string | null;
  readonly amendmentReason: string | null;
  readonly simulation: CommitmentSimulation;
  readonly updatedBy: string;
  readonly updatedAt: string;
  readonly signedBy: string | null;
  /** Where a user may move it next (the committer's lifecycle), so a client offers exactly these and copies no rules. */
  readonly nextStatuses: readonly CommitmentStatus[];
}

export interface CommitmentTransition {
  readonly from: CommitmentStatus;
  readonly to: CommitmentStatus;
  readonly by: string;
  readonly at: string;
  readonly reason: string | null;
}

/** One version of an amendment chain. */
export interface CommitmentVersionSummary {
  readonly id: string;
  readonly version: number;
  readonly status: CommitmentStatus;
  readonly committedValue: number;
  readonly createdAt: string;
  readonly signedAt: string | null;
}

export interface CommitmentFilter {
  readonly status?: readonly CommitmentStatus[];
  readonly modelId?: string;
  readonly industry?: string;
  /** Case-insensitive substring of the title. */
  readonly q?: string;
}

/** A status change that happened, for the caller to announce once the transaction committed. */
export interface AppliedTransition {
  readonly commitment: CommitmentResource;
  readonly from: CommitmentStatus;
  readonly to: CommitmentStatus;
  readonly reason: string | null;
}

function toResource(row: CommitmentRow): CommitmentResource {
  return {
    id: row.id,
    tenantId: row.tenantId,
    version: row.version,
    previousVersionId: row.previousVersionId,
    title: row.title,
    modelId: row.modelId,
    modelVersion: row.modelVersion,
    industry: row.industry,
    status: row.status,
    confidence: row.confidence,
    baseValue: row.baseValue,
    committedValue: row.committedValue,
    currency: row.currency,
    drivers: row.drivers,
    milestones: row.milestones,
    successCriteria: row.successCriteria,
    metrics: row.metrics ?? [],
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    signedAt: row.signedAt ? row.signedAt.toISOString() : null,
    amendedBy: row.amendedBy,
    amendmentReason: row.amendmentReason,
    simulation: row.simulation,
    updatedBy: row.updatedBy,
    updatedAt: row.updatedAt.toISOString(),
    signedBy: row.signedBy,
    nextStatuses: allowedTransitions[row.status],
  };
}

function conflict(reason: string): VvError {
  return new VvError('VV_CONFLICT', { params: { reason } });
}

function notFound(id: string): VvError {
  return new VvError('VV_NOT_FOUND', { params: { reason: `Commitment ${id} not found` } });
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Commitments, their status history and amendment chains in the plugin's schema. Rules that must hold under
 * concurrent requests (status moves, one amendment per version, no edits once signed) are checked on the locked row
 * inside the transaction that changes it; each breach is VV_CONFLICT.
 */
export class CommitmentStore {
  constructor(private readonly db: PluginDatabase) {}

  create(tenantId: string, actor: string, content: CommitmentContent): Promise<CommitmentResource> {
    return this.db.em(tenantId, async (em) => {
      const row = this.newRow(em, tenantId, actor, content, { version: 1, previousVersionId: null, amendmentReason: null });
      return toResource(row);
    });
  }

  async get(tenantId: string, id: string): Promise<CommitmentResource | undefined> {
    const row = await this.db.em(tenantId, (em) => em.findOne(CommitmentEntity, { id }));
    return row ? toResource(row) : undefined;
  }

  transitions(tenantId: string, id: string): Promise<CommitmentTransition[]> {
    return this.db.em(tenantId, async (em) => {
      const rows = await em.find(CommitmentTransitionEntity, { commitmentId: id }, { orderBy: [{ at: 'asc' }, { id: 'asc' }] });
      return rows.map((r) => ({ from: r.fromStatus, to: r.toStatus, by: r.actor, at: r.at.toISOString(), reason: r.reason }));
    });
  }

  list(tenantId: string, filter: CommitmentFilter, page: { limit: number; cursor?: string }): Promise<Page<CommitmentResource>> {
    const where = this.where(filter);
    if (page.cursor !== undefined) {
      const [at, id] = decodeCursor(page.cursor, ['timestamp', 'string']);
      const createdAt = new Date(at);
      where.push({ $or: [{ createdAt: { $lt: createdAt } }, { createdAt, id: { $lt: id } }] });
    }
    return this.db.em(tenantId, async (em) => {
      const rows = await em.find(CommitmentEntity, { $and: where }, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], limit: page.limit + 1 });
      const items = rows.slice(0, page.limit);
      const last = items[items.length - 1];
      return { items: items.map(toResource), nextCursor: rows.length > page.limit && last ? encodeCursor([last.createdAt.toISOString(), last.id]) : null };
    });
  }

  /** Every commitment of the tenant matching `filter`, newest first (for other plugins). */
  all(tenantId: string, filter: CommitmentFilter): Promise<CommitmentResource[]> {
    return this.db.em(tenantId, async (em) => {
      const rows = await em.find(CommitmentEntity, { $and: this.where(filter) }, { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] });
      return rows.map(toResource);
    });
  }

  /**
   * Replaces content of a draft. `seenUpdatedAt` is the `updatedAt` the caller computed the change from: if the
   * commitment changed since (a concurrent edit or a proposal), the change is refused.
   */
  update(tenantId: string, id: string, actor: string, changes: Partial<CommitmentContent>, seenUpdatedAt: string): Promise<CommitmentResource> {
    return this.db.em(tenantId, async (em) => {
      const row = await this.locked(em, id);
      if (row.status !== 'draft') throw this.notEditable(row);
      if (row.updatedAt.toISOString() !== seenUpdatedAt) throw conflict(`Commitment ${id} changed while this change was prepared: reload and try again`);
      // Plain assignment, not em.assign: JSON properties (milestones, drivers) must be replaced, never merged.
      Object.assign(row, { ...changes, updatedBy: actor, updatedAt: new Date() });
      return toResource(row);
    });
  }

  /**
   * Moves a commitment to `to`. Signing an amendment also closes the version it replaces. Returns every transition
   * made, in order.
   */
  transition(tenantId: string, id: string, actor: string, to: CommitmentStatus, reason: string | null): Promise<AppliedTransition[]> {
    return this.db.em(tenantId, async (em) => {
      const row = await this.locked(em, id);
      if (!canTransition(row.status, to)) {
        throw conflict(`Commitment ${id} is ${row.status}: it cannot move to ${to} (allowed: ${this.allowedText(row.status)})`);
      }
      const applied = [this.move(em, row, to, actor, reason)];
      if (to === 'signed' && row.previousVersionId !== null) {
        const previous = await this.locked(em, row.previousVersionId);
        if (previous.status !== 'closed') applied.push(this.move(em, previous, 'closed', actor, `superseded by amendment ${row.id} (version ${row.version})`));
      }
      return applied;
    });
  }

  /** A new draft version of a signed or active commitment, linked to it; `changes` apply on top of a copy. */
  amend(tenantId: string, id: string, actor: string, changes: Partial<CommitmentContent>, reason: string, seenUpdatedAt: string): Promise<CommitmentResource> {
    return this.db.em(tenantId, async (em) => {
      const old = await this.locked(em, id);
      if (old.status !== 'signed' && old.status !== 'active') {
        throw conflict(`Commitment ${id} is ${old.status}: only signed or active commitments are amended${old.status === 'closed' ? '' : ' (change the draft itself)'}`);
      }
      if (old.amendedBy !== null) throw conflict(`Commitment ${id} already has amendment ${old.amendedBy}: amend that one, or delete it while it is a draft`);
      if (old.updatedAt.toISOString() !== seenUpdatedAt) throw conflict(`Commitment ${id} changed while this amendment was prepared: try again`);
      const content: CommitmentContent = {
        title: old.title,
        modelId: old.modelId,
        modelVersion: old.modelVersion,
        industry: old.industry,
        confidence: old.confidence,
        baseValue: old.baseValue,
        committedValue: old.committedValue,
        currency: old.currency,
        drivers: old.drivers,
        milestones: old.milestones,
        successCriteria: old.successCriteria,
        metrics: old.metrics ?? [],
        simulation: old.simulation,
        ...changes,
      };
      const row = this.newRow(em, tenantId, actor, content, { version: old.version + 1, previousVersionId: old.id, amendmentReason: reason });
      // Written first: amended_by points at it (and the partial unique index stops a concurrent second amendment).
      await em.flush();
      old.amendedBy = row.id;
      return toResource(row);
    });
  }

  /** Deletes a draft (an abandoned amendment frees its predecessor for another). */
  deleteDraft(tenantId: string, id: string): Promise<CommitmentResource> {
    return this.db.em(tenantId, async (em) => {
      const row = await this.locked(em, id);
      if (row.status !== 'draft') throw conflict(`Commitment ${id} is ${row.status}: only drafts are deleted`);
      if (row.previousVersionId !== null) {
        const previous = await this.locked(em, row.previousVersionId);
        previous.amendedBy = null;
      }
      const gone = toResource(row);
      em.remove(row);
      return gone;
    });
  }

  /** The amendment chain a commitment belongs to, oldest first. */
  versions(tenantId: string, id: string): Promise<CommitmentVersionSummary[] | undefined> {
    return this.db.em(tenantId, async (em) => {
      const start = await em.findOne(CommitmentEntity, { id });
      if (!start) return undefined;
      const chain: CommitmentRow[] = [start];
      for (let row = start; row.previousVersionId !== null;) {
        const previous = await em.findOne(CommitmentEntity, { id: row.previousVersionId });
        if (!previous) break;
        chain.unshift(previous);
        row = previous;
      }
      for (let row = start; row.amendedBy !== null;) {
        const next = await em.findOne(CommitmentEntity, { id: row.amendedBy });
        if (!next) break;
        chain.push(next);
        row = next;
      }
      return chain.map((r) => ({
        id: r.id,
        version: r.version,
        status: r.status,
        committedValue: r.committedValue,
        createdAt: r.createdAt.toISOString(),
        signedAt: r.signedAt ? r.signedAt.toISOString() : null,
      }));
    });
  }

  private where(filter: CommitmentFilter): FilterQuery<CommitmentRow>[] {
    const where: FilterQuery<CommitmentRow>[] = [];
    if (filter.status !== undefined && filter.status.length > 0) where.push({ status: { $in: [...filter.status] } });
    if (filter.modelId !== undefined) where.push({ modelId: filter.modelId });
    if (filter.industry !== undefined) where.push({ industry: filter.industry });
    if (filter.q !== undefined && filter.q !== '') where.push({ title: { $ilike: likePattern(filter.q) } });
    return where;
  }

  private async locked(em: EntityManager, id: string): Promise<CommitmentRow> {
    const row = await em.findOne(CommitmentEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!row) throw notFound(id);
    return row;
  }

  private notEditable(row: CommitmentRow): VvError {
    return isSigned(row.status)
      ? conflict(`Commitment ${row.id} is ${row.status} and cannot change: amend it (POST /commitments/${row.id}/amendments)`)
      : conflict(`Commitment ${row.id} is ${row.status}: withdraw it to draft before changing it`);
  }

  private allowedText(status: CommitmentStatus): string {
    return ['draft', 'proposed', 'signed', 'active', 'closed'].filter((to) => canTransition(status, to as CommitmentStatus)).join(', ') || 'none';
  }

  private move(em: EntityManager, row: CommitmentRow, to: CommitmentStatus, actor: string, reason: string | null): AppliedTransition {
    const from = row.status;
    const now = new Date();
    row.status = to;
    row.updatedBy = actor;
    row.updatedAt = now;
    if (to === 'signed') {
      row.signedBy = actor;
      row.signedAt = now;
    }
    em.persist(em.create(CommitmentTransitionEntity, { id: randomUUID(), tenantId: row.tenantId, commitmentId: row.id, fromStatus: from, toStatus: to, actor, at: now, reason }));
    return { commitment: toResource(row), from, to, reason };
  }

  private newRow(
    em: EntityManager,
    tenantId: string,
    actor: string,
    content: CommitmentContent,
    link: { version: number; previousVersionId: string | null; amendmentReason: string | null },
  ): CommitmentRow {
    const now = new Date();
    const row = em.create(CommitmentEntity, {
      id: randomUUID(),
      tenantId,
      ...link,
      amendedBy: null,
      title: content.title,
      modelId: content.modelId,
      modelVersion: content.modelVersion,
      industry: content.industry,
      status: 'draft',
      confidence: content.confidence,
      baseValue: content.baseValue,
      committedValue: content.committedValue,
      currency: content.currency,
      drivers: [...content.drivers],
      milestones: [...content.milestones],
      successCriteria: [...content.successCriteria],
      metrics: [...content.metrics],
      simulation: content.simulation,
      createdBy: actor,
      createdAt: now,
      updatedBy: actor,
      updatedAt: now,
      signedBy: null,
      signedAt: null,
    });
    em.persist(row);
    return row;
  }
}
