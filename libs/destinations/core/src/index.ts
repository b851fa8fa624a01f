// @conduit/destinations-core: the provider contract every destination implements (field schema, keys,
// normalization and hashing, error taxonomy, registry, conformance kit). Tagged `type:provider-core`:
// it depends on no other Conduit project, and the domain and providers depend on it.
export const DESTINATIONS_CORE_PACKAGE = '@conduit/destinations-core';
