// Test kit for provider specs (`@conduit/destinations-core/testing`); never imported by production code.
export { describeProviderConformance, type ConformanceSubject } from './provider-conformance';
