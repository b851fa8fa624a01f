import type { ConduitMetrics } from '@conduit/domain';
import type { NextFunction, Request, Response } from 'express';

/** The label of a request no route matched (a 404, a body refused before routing): one series, not one per URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Express middleware counting every answered request by method, Nest route pattern
 * (`/exports/:exportId`, never the raw URL: bounded cardinality) and status, with its duration.
 * Installed before Nest's router, so guard refusals (401, 429) and filter answers are counted too.
 */
export function httpMetrics(metrics: ConduitMetrics) {
  return (request: Request, response: Response, next: NextFunction): void => {
    const startedAt = performance.now();
    response.once('finish', () => {
      const route = (request as Request & { route?: { path?: unknown } }).route?.path;
      metrics.httpRequest({
        method: request.method,
        route: typeof route === 'string' ? `${request.baseUrl}${route}` : UNMATCHED_ROUTE,
        status: response.statusCode,
        seconds: (performance.now() - startedAt) / 1000,
      });
    });
    next();
  };
}
