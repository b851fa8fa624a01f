import {
  countRejected,
  type ExportCounts,
  type ExportStatus,
  type KeyType,
} from '@conduit/destinations-core';
import {
  AudienceDeliveryStatus,
  AudienceOperationStatus,
  type MultiKey,
  type WireCustomAudience,
} from '@conduit/destinations-meta-wire';

/**
 * The multi-key schema column of each activation key (reference §4.2): inside a multi-key payload
 * `EMAIL` and `PHONE` already mean SHA-256 hex; `MADID` is the advertiser id itself, not hashed.
 */
export const SCHEMA_KEY: Readonly<Record<KeyType, MultiKey>> = {
  EMAIL: 'EMAIL',
  PHONE: 'PHONE',
  MAID: 'MADID',
};

const KEY_TYPE_OF: Readonly<Partial<Record<string, KeyType>>> = {
  EMAIL: 'EMAIL',
  EMAIL_SHA256: 'EMAIL',
  PHONE: 'PHONE',
  PHONE_SHA256: 'PHONE',
  MADID: 'MAID',
  MOBILE_ADVERTISER_ID: 'MAID',
};

/** The payload's schema: one column per mapped key type, in mapping order (`KeyedRows.types`). */
export function schemaFor(types: readonly KeyType[]): MultiKey[] {
  return types.map((type) => SCHEMA_KEY[type]);
}

/**
 * Counts what Meta found invalid in a batch (`num_invalid_entries`, reference §4.4) into the export's
 * invalid reasons as MALFORMED: Meta counts rows, and says no more than "sent with incorrect
 * hashing". Its samples (value → the schema key it was sent as) are kept masked, never as sent.
 */
export function countInvalidEntries(
  counts: ExportCounts,
  invalid: number,
  samples: Readonly<Record<string, string>>,
  fallbackType: KeyType,
): void {
  const sampled = Object.entries(samples).slice(0, invalid);
  for (const [value, key] of sampled)
    countRejected(counts, KEY_TYPE_OF[key] ?? fallbackType, 'MALFORMED', value);
  for (let rest = sampled.length; rest < invalid; rest++)
    countRejected(counts, fallbackType, 'MALFORMED', undefined, { example: false });
}

/**
 * Meta's view of an audience as an export status (reference §6): a replace running or the last
 * upload still populating → PROCESSING; a failed replace, an integrity flag or a delivery status of
 * 400 and up → FAILED; otherwise READY, sized by the approximate count (the bounds' midpoint).
 */
export function toExportStatus(audience: WireCustomAudience): ExportStatus {
  const operation = audience.operation_status;
  const delivery = audience.delivery_status;
  const lower = audience.approximate_count_lower_bound ?? -1;
  const upper = audience.approximate_count_upper_bound ?? -1;
  const audienceSize = lower >= 0 && upper >= 0 ? Math.round((lower + upper) / 2) : null;
  const said = (status: { code: number; description?: string }) =>
    `${status.description?.trim() || 'no description'} (Meta status ${status.code})`;
  if (!operation) return { state: 'PROCESSING', audienceSize, message: 'Meta is processing the audience' };
  switch (operation.code) {
    case AudienceOperationStatus.REPLACE_IN_PROGRESS:
    case AudienceOperationStatus.POPULATING:
    case AudienceOperationStatus.NO_UPLOAD:
      return { state: 'PROCESSING', audienceSize, message: said(operation) };
    case AudienceOperationStatus.REPLACE_FAILED:
    case AudienceOperationStatus.INTEGRITY_FLAGGED:
    case 500:
      return { state: 'FAILED', audienceSize, message: said(operation) };
  }
  if (delivery && delivery.code >= 400) return { state: 'FAILED', audienceSize, message: said(delivery) };
  if (delivery && delivery.code === AudienceDeliveryStatus.TOO_SMALL)
    // Processed, but too few matched people to deliver ads to: ready as far as the export goes.
    return { state: 'READY', audienceSize, message: said(delivery) };
  return {
    state: 'READY',
    audienceSize,
    ...(operation.code === AudienceOperationStatus.NORMAL ? {} : { message: said(operation) }),
  };
}
