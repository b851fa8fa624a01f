// Public API of the identifier pipeline: normalization, validation and hashing per key type.
export * from './identifier-types';
export { normalizeEmail } from './email';
export { normalizeMaid } from './maid';
export { isSupportedPhoneRegion, normalizePhone } from './phone';
export { sha256Hex } from './sha256-hex';
export { normalizeIdentifier, prepareIdentifier, type PreparedIdentifier } from './normalize-identifier';
export {
  DIGEST_BYTES,
  HashedIdentifiers,
  hashIdentifiers,
  keepsPlainText,
  type IdentifierBatch,
} from './hash-identifiers';
export {
  IdentifierHasher,
  sharedIdentifierHasher,
  type HashedRows,
  type IdentifierHasherOptions,
} from './identifier-hasher';
export { hashNdjsonRows, type HashedNdjsonRows, type NdjsonRowsBatch, type RowColumn } from './hash-rows';
