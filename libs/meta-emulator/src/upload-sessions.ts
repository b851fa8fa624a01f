import { GraphCode, GraphSubcode, type WireUsersSession } from '@conduit/destinations-meta-wire';
import { audienceUpdateFailed, fail, invalidParameter } from './graph-errors';
import { sameSchema, type MemberRow } from './users-payload';

export type UploadKind = 'add' | 'remove' | 'replace';

export interface UploadBatch {
  batchSeq: number;
  rows: number;
  invalid: number;
  lastBatchFlag: boolean;
  at: number;
}

/**
 * A session of `/users` or `/usersreplace` (reference §4.3, §4.6): the advertiser's id, unique in the
 * ad account, and its batches. A replace session stages its rows and applies them when it closes.
 */
export interface UploadSession {
  sessionId: string;
  adAccountId: string;
  audienceId: string;
  kind: UploadKind;
  /** The emulator chose the id (a `/users` call without `session`). */
  assigned: boolean;
  startedAt: number;
  state: 'open' | 'finished' | 'timed_out';
  batches: UploadBatch[];
  numReceived: number;
  numInvalid: number;
  estimatedTotal?: number;
  schema?: readonly string[];
  /** Replace only: the new membership, applied when the session closes. */
  staged?: MemberRow[];
}

/** Sessions per ad account, with the rules of `/users` and `/usersreplace`. */
export class UploadSessions {
  private readonly sessions = new Map<string, UploadSession>();
  private assignedSequence = 0;

  constructor(private readonly seed: number) {}

  get(adAccountId: string, sessionId: string): UploadSession | undefined {
    return this.sessions.get(`${adAccountId}:${sessionId}`);
  }

  ofAudience(audienceId: string): UploadSession[] {
    return [...this.sessions.values()].filter((session) => session.audienceId === audienceId);
  }

  /** The replace running on an audience, if any (after `expire` has closed timed-out ones). */
  activeReplace(audienceId: string): UploadSession | undefined {
    return this.ofAudience(audienceId).find(
      (session) => session.kind === 'replace' && session.state === 'open',
    );
  }

  /** Closes replace sessions whose window has passed; returns them (their audience keeps what came). */
  expire(now: number, windowMs: number): UploadSession[] {
    const expired: UploadSession[] = [];
    for (const session of this.sessions.values())
      if (session.kind === 'replace' && session.state === 'open' && now >= session.startedAt + windowMs) {
        session.state = 'timed_out';
        expired.push(session);
      }
    return expired;
  }

  /**
   * The session of a `/users` batch: the given one (created on its first batch), or a new
   * single-batch one with an id of the emulator's (Meta assigns one: reference §4.3).
   */
  forUsers(
    adAccountId: string,
    audienceId: string,
    kind: 'add' | 'remove',
    session: WireUsersSession | undefined,
    now: number,
  ): UploadSession {
    if (!session) {
      this.assignedSequence++;
      const sessionId = String(
        BigInt(this.seed) * 1_000_000_000n + 7_000_000_000_000n + BigInt(this.assignedSequence),
      );
      return this.create({ sessionId, adAccountId, audienceId, kind, assigned: true, now });
    }
    const sessionId = String(session.session_id);
    const existing = this.get(adAccountId, sessionId);
    if (!existing)
      return this.create({
        sessionId,
        adAccountId,
        audienceId,
        kind,
        assigned: false,
        now,
        estimatedTotal: session.estimated_num_total,
      });
    if (existing.audienceId !== audienceId || existing.kind !== kind)
      invalidParameter(
        `session_id ${sessionId} is already used in this ad account by a ${existing.kind} session of audience ${existing.audienceId}`,
      );
    return existing;
  }

  /**
   * Checks a `/usersreplace` batch against reference §4.6 and returns its session: one replace at a
   * time per audience (1870145); a new session starts on batch 1 and batch 1 is never resent
   * (1870147); a closed session takes no more batches (1870159), nor a timed-out one (1870158); the
   * schema stays the same.
   */
  forReplace(
    adAccountId: string,
    audienceId: string,
    session: WireUsersSession,
    schema: readonly string[],
    now: number,
  ): UploadSession {
    const sessionId = String(session.session_id);
    const existing = this.get(adAccountId, sessionId);
    const running = this.activeReplace(audienceId);
    if (running && running.sessionId !== sessionId)
      audienceUpdateFailed(
        GraphSubcode.AUDIENCE_UPDATE_IN_PROGRESS,
        'Audience Update In Progress',
        `Another replace (session ${running.sessionId}) is running on this audience. Wait until it finishes.`,
      );
    if (existing && (existing.audienceId !== audienceId || existing.kind !== 'replace'))
      invalidParameter(`session_id ${sessionId} is already used in this ad account by another session`);
    if (existing?.state === 'finished')
      audienceUpdateFailed(
        GraphSubcode.REPLACE_SESSION_FINISHED,
        'Replace Session Finished',
        `Replace session ${sessionId} already received its last batch; start a new session.`,
      );
    if (existing?.state === 'timed_out')
      audienceUpdateFailed(
        GraphSubcode.REPLACE_SESSION_TIMED_OUT,
        'Replace Session Timed Out',
        `Replace session ${sessionId} ended 90 minutes after its first batch; the audience holds what was uploaded until then.`,
      );
    if (!existing) {
      if (session.batch_seq !== 1)
        audienceUpdateFailed(
          GraphSubcode.INVALID_REPLACE_BATCH,
          'Invalid Upload Batch for Replace',
          `A new replace session starts with batch_seq 1 (got ${session.batch_seq}).`,
        );
      const created = this.create({
        sessionId,
        adAccountId,
        audienceId,
        kind: 'replace',
        assigned: false,
        now,
        estimatedTotal: session.estimated_num_total,
      });
      created.schema = [...schema];
      created.staged = [];
      return created;
    }
    if (session.batch_seq === 1)
      audienceUpdateFailed(
        GraphSubcode.INVALID_REPLACE_BATCH,
        'Invalid Upload Batch for Replace',
        `batch_seq 1 starts a replace session; session ${sessionId} has started already.`,
      );
    if (existing.schema && !sameSchema(existing.schema, schema))
      invalidParameter(
        `The schema of a replace session cannot change between batches (session ${sessionId})`,
      );
    return existing;
  }

  /** Every session, for inspection. */
  all(): UploadSession[] {
    return [...this.sessions.values()];
  }

  private create(input: {
    sessionId: string;
    adAccountId: string;
    audienceId: string;
    kind: UploadKind;
    assigned: boolean;
    now: number;
    estimatedTotal?: number;
  }): UploadSession {
    if (this.sessions.size >= MAX_SESSIONS)
      fail(
        GraphCode.AUDIENCE_UPDATE_FAILED,
        '(#2650) Failed to update the custom audience: too many sessions',
      );
    const session: UploadSession = {
      sessionId: input.sessionId,
      adAccountId: input.adAccountId,
      audienceId: input.audienceId,
      kind: input.kind,
      assigned: input.assigned,
      startedAt: input.now,
      state: 'open',
      batches: [],
      numReceived: 0,
      numInvalid: 0,
      ...(input.estimatedTotal !== undefined ? { estimatedTotal: input.estimatedTotal } : {}),
    };
    this.sessions.set(`${input.adAccountId}:${input.sessionId}`, session);
    return session;
  }
}

/** The emulator keeps every session for inspection; this bounds their number (a test makes a few). */
const MAX_SESSIONS = 100_000;
