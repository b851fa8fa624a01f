// Public API of the identifier pipeline: normalization, validation and hashing per key type.
export * from './identifier-types';
