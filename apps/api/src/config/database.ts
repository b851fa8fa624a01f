import { databaseOptionsFor, type DatabaseOptions } from '@conduit/domain';
import type { ConfigService } from '@nestjs/config';
import type { ApiEnv } from './api.env';

export function databaseOptionsFrom(config: ConfigService<ApiEnv, true>): DatabaseOptions {
  return databaseOptionsFor({
    databaseUrl: config.get('DATABASE_URL', { infer: true }),
    dataDir: config.get('CONDUIT_DATA_DIR', { infer: true }),
  });
}
