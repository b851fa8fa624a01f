import { randomInt } from 'node:crypto';
import {
  maskIdentifier,
  type ChunksSentBefore,
  type ExportCheckpoint,
  type SentChunk,
} from '@conduit/destinations-core';
import type { WireUsersAnswer } from '@conduit/destinations-meta-wire';

export const CHECKPOINT_VERSION = 1;
/**
 * Meta ends a replace session 90 minutes after its first batch and discards what came (reference
 * §4.6); a resume later than this (5 minutes of margin for clocks and the batch in flight) starts over.
 */
export const REPLACE_WINDOW_MS = 85 * 60 * 1000;
/** Masked samples of Meta's invalid entries kept in the checkpoint (never a value as sent). */
const KEPT_SAMPLES = 3;

/** `/users` adds to the audience; `/usersreplace` replaces its members through one session. */
export type Edge = 'users' | 'usersreplace';

/** What a Meta export records after every step it must not repeat (the checkpoint's state). */
export interface MetaExportState {
  audienceId: string | null;
  /** Set just before the create call: on resume, an audience created since then is adopted, not duplicated. */
  createStartedAt: string | null;
  /**
   * The export's session: its id is chosen once, so a resumed run continues its batch sequence;
   * `startedAt` is when batch 1 of a replace went (Meta's 90-minute window runs from there).
   */
  session: { id: number; edge: Edge; startedAt: string | null };
  /** What the session's accepted batches covered (`runChunkedExport`'s resume). */
  sent: ChunksSentBefore;
  /** Meta's `num_invalid_entries` for the session so far, and a few masked samples with their key. */
  invalid: { count: number; samples: Record<string, string> };
  /** The batch flagged last was accepted: the session is closed. */
  closed: boolean;
}

/** A new session on `edge`, nothing sent. */
export function freshState(edge: Edge): MetaExportState {
  return {
    audienceId: null,
    createStartedAt: null,
    // Positive, unique within the ad account (reference §4.3): 48 random bits make a collision unlikely.
    session: { id: randomInt(1, 2 ** 48), edge, startedAt: null },
    sent: { throughRow: 0, chunks: 0, values: 0, bytes: 0 },
    invalid: { count: 0, samples: {} },
    closed: false,
  };
}

/** The state an interrupted run recorded, or a fresh one (no checkpoint, or one of another format). */
export function restoreState(checkpoint: ExportCheckpoint | null | undefined, edge: Edge): MetaExportState {
  return checkpoint?.version === CHECKPOINT_VERSION
    ? (structuredClone(checkpoint.state) as unknown as MetaExportState)
    : freshState(edge);
}

export function toCheckpoint(state: MetaExportState): ExportCheckpoint {
  return {
    version: CHECKPOINT_VERSION,
    state: structuredClone(state) as unknown as Record<string, unknown>,
  };
}

/** An accepted batch: what the session covers now, and Meta's counts so far (its answers are cumulative). */
export function recordSent(state: MetaExportState, chunk: SentChunk<WireUsersAnswer | undefined>): void {
  state.sent = {
    throughRow: chunk.endRow,
    chunks: chunk.sequence,
    values: state.sent.values + chunk.values,
    bytes: state.sent.bytes + chunk.bytes,
  };
  if (chunk.last) state.closed = true;
  const answer = chunk.receipt;
  if (!answer) return;
  state.invalid.count = Math.max(state.invalid.count, answer.num_invalid_entries);
  for (const [value, key] of Object.entries(answer.invalid_entry_samples)) {
    if (Object.keys(state.invalid.samples).length >= KEPT_SAMPLES) break;
    state.invalid.samples[maskIdentifier(value)] = key;
  }
}

/** Whether Meta has discarded the replace session: opened, not closed, and its window passed. */
export function replaceWindowPassed(state: MetaExportState, now = Date.now()): boolean {
  const startedAt = state.session.startedAt;
  return (
    state.session.edge === 'usersreplace' &&
    !state.closed &&
    startedAt !== null &&
    now - Date.parse(startedAt) >= REPLACE_WINDOW_MS
  );
}
