// Public API of the identifier pipeline: normalization, validation and hashing per key type.
export * from './identifier-types';
export {
  normalizeEmail,
  normalizeIdentifier,
  normalizeMaid,
  normalizePhone,
  sha256Hex,
  type Normalized,
} from './normalize-identifier';
