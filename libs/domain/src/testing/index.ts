// Test helpers for every project's suites (`@conduit/domain/testing`); never imported by production code.
export { createTestDatabase, type TestDatabase } from './test-database';
export { seedCompany, type SeededCompany } from './fixtures';
export { createReaderRole, type ReaderRole } from './reader-role';
export { recordFigures, figuresDatabase, type Figures } from './figures';
export { metricValue, parseMetrics, scrapeMetrics, type MetricSample } from './metrics';
