import { Logger } from '@nestjs/common';
import { ConduitMetrics } from './conduit-metrics';

/**
 * A process's metrics (`/metrics`), as the API and the scheduler make them: logging at debug each
 * provider request with the export it served, and at warn a scrape-time source that could not be read.
 */
export function processMetrics(): ConduitMetrics {
  const logger = new Logger('Metrics');
  return new ConduitMetrics({
    onProviderRequest: ({ provider, endpoint, code, durationSeconds }, exportId) =>
      logger.debug(
        {
          ...(exportId ? { exportId } : {}),
          provider,
          endpoint,
          code,
          durationMs: Math.round(durationSeconds * 1000),
        },
        `${provider} ${endpoint} answered ${code}`,
      ),
    onSourceError: (source, error) => logger.warn({ err: error }, `Metrics: the ${source} could not be read`),
  });
}
