import type { MultiKey } from '@conduit/destinations-meta-wire';
import type { UploadKind, UploadSession } from './upload-sessions';
import type { SchemaFamily } from './users-payload';

// What the inspection API (`/_emulator/…`) answers: not Meta's shapes, the emulator's own, typed so
// that specs and fixtures read them without declaring them again.

/** An audience in the list (`GET /_emulator/audiences`). */
export interface AudienceSummary {
  audience_id: string;
  ad_account_id: string;
  name: string;
  description: string;
  customer_file_source: string;
  /** The schema family of its first rows (multi-key hashes, or hashes / user ids), once it has rows. */
  data_source: SchemaFamily | null;
  size: number;
  /** Members Meta would match (a fixed share of them, chosen by their digest). */
  matched: number;
  processing: boolean;
  replace_failed: boolean;
}

/** One batch of a session, in the order it arrived. */
export interface InspectedBatch {
  batch_seq: number;
  rows: number;
  invalid: number;
  last_batch_flag: boolean;
  /** ISO 8601. */
  at: string;
}

/** A `/users` or `/usersreplace` session (`GET /_emulator/audiences/:id/sessions`). */
export interface InspectedSession {
  session_id: string;
  ad_account_id: string;
  audience_id: string;
  kind: UploadKind;
  /** The emulator chose the id (a call without `session`). */
  assigned_by_emulator: boolean;
  state: UploadSession['state'];
  /** ISO 8601. */
  started_at: string;
  num_received: number;
  num_invalid_entries: number;
  estimated_num_total?: number;
  batches: InspectedBatch[];
}

/** One audience, whole (`GET /_emulator/audiences/:id`): every identifier it holds per key, sorted. */
export interface InspectedAudience extends AudienceSummary {
  identifiers: Partial<Record<MultiKey, string[]>>;
  sessions: InspectedSession[];
}
