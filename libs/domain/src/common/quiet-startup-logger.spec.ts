import type { LoggerService } from '@nestjs/common';
import { QuietStartupLogger } from './quiet-startup-logger';

function recorder() {
  const lines: Array<[string, unknown[]]> = [];
  const record =
    (level: string) =>
    (...args: unknown[]) =>
      lines.push([level, args]);
  const target: LoggerService = {
    log: record('info'),
    error: record('error'),
    warn: record('warn'),
    debug: record('debug'),
    verbose: record('verbose'),
    fatal: record('fatal'),
  };
  return { lines, logger: new QuietStartupLogger(target) };
}

describe('QuietStartupLogger', () => {
  it("moves Nest's boot chatter (modules, controllers, routes) to debug", () => {
    const { lines, logger } = recorder();
    logger.log('Mapped {/health, GET} route', 'RouterExplorer');
    logger.log('HealthController {/health}:', 'RoutesResolver');
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Starting Nest application...', 'NestFactory');
    logger.log('Nest application successfully started', 'NestApplication');
    expect(lines.map(([level]) => level)).toEqual(['debug', 'debug', 'debug', 'debug', 'debug']);
    expect(lines[0]).toEqual(['debug', ['Mapped {/health, GET} route', 'RouterExplorer']]);
  });

  it("keeps Conduit's own lines and every warning or error at their level", () => {
    const { lines, logger } = recorder();
    logger.log('Conduit API listening on http://127.0.0.1:3000', 'Bootstrap');
    logger.log({ job: 'export.run' }, 'Job export.run exp_1 started', 'Jobs');
    logger.log('no context');
    logger.warn('Redis queue error', 'RouterExplorer');
    logger.error('boom', 'NestFactory');
    logger.fatal('down');
    logger.verbose('detail');
    logger.debug('debugging');
    expect(lines.map(([level]) => level)).toEqual([
      'info',
      'info',
      'info',
      'warn',
      'error',
      'fatal',
      'verbose',
      'debug',
    ]);
    expect(lines[1]).toEqual(['info', [{ job: 'export.run' }, 'Job export.run exp_1 started', 'Jobs']]);
  });
});
