// Public API of the identifier pipeline: normalization, validation and hashing per key type.
export * from './identifier-types';
export { normalizeEmail } from './email';
export { normalizeIdentifier } from './normalize-identifier';
export { normalizeMaid } from './maid';
export { isSupportedPhoneRegion, normalizePhone } from './phone';
export { sha256Hex } from './sha256-hex';
