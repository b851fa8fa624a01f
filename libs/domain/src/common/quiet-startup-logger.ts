import type { LoggerService } from '@nestjs/common';

/** Nest's own boot chatter: a line per module, controller and route (about 80 for the API). */
const STARTUP_CONTEXTS = new Set([
  'NestFactory',
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestApplication',
]);

/**
 * Wraps the app's logger so Nest's boot chatter is logged at debug level: at the default `info`, a
 * start shows what Conduit says (listening, jobs, warnings), not every mapped route.
 * `LOG_LEVEL=debug` shows them again.
 */
export class QuietStartupLogger implements LoggerService {
  constructor(private readonly target: LoggerService) {}

  log(message: unknown, ...params: unknown[]): void {
    const context = params[params.length - 1];
    if (typeof context === 'string' && STARTUP_CONTEXTS.has(context) && this.target.debug) {
      this.target.debug(message, ...params);
      return;
    }
    this.target.log(message, ...params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.target.error(message, ...params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.target.warn(message, ...params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.target.debug?.(message, ...params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.target.verbose?.(message, ...params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    (this.target.fatal ?? this.target.error).call(this.target, message, ...params);
  }
}
