import { monotonicFactory } from 'ulid';

// Monotonic: ids minted in the same millisecond still sort in creation order (lists page by id).
const ulid = monotonicFactory();

/** Type prefixes of every public id (README, "API at a glance"): opaque, sortable, never a database integer. */
export const ID_PREFIXES = {
  company: 'cmp',
  apiKey: 'key',
  collaboration: 'clb',
  collaborationMember: 'clm',
  schedulerInstance: 'sch',
  authorization: 'aut',
  destination: 'dst',
  destinationShare: 'shr',
  destinationEvent: 'dev',
  segment: 'seg',
  dataSource: 'dsr',
  idempotencyRecord: 'idm',
  export: 'exp',
  exportEvent: 'xev',
} as const;

export type IdPrefix = (typeof ID_PREFIXES)[keyof typeof ID_PREFIXES];

/** A new id such as `cmp_01JD4Q0X8R4Y3N2V6M5K7T9W1Z`: prefix, underscore, ULID (time-sortable). */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}

/** Length of every id column: the longest prefix plus `_` plus a 26-character ULID, with room to spare. */
export const ID_LENGTH = 40;
