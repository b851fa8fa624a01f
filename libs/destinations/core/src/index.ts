// @conduit/destinations-core: the contract every destination provider implements, and what they share.
export * from './errors/destination-errors';
export * from './identifiers';
export * from './schema/field-schema';
export * from './provider/destination-provider';
export * from './registry/destination-registry';
export * from './export/export-counts';
export * from './export/rate-limiter';
export * from './export/retry';
export * from './export/row-batches';
export * from './provider/provider-observer';
export * from './export/keyed-rows';
export * from './export/chunked-export';
export * from './export/export-calls';
export * from './export/export-messages';
