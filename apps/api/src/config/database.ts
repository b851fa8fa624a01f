import { join } from 'node:path';
import type { DatabaseOptions } from '@conduit/domain';
import type { ConfigService } from '@nestjs/config';
import type { ApiEnv } from './api.env';

export function databaseOptionsFrom(config: ConfigService<ApiEnv, true>): DatabaseOptions {
  return {
    url: config.get('DATABASE_URL', { infer: true }),
    sqlitePath: join(config.get('CONDUIT_DATA_DIR', { infer: true }), 'conduit.sqlite'),
  };
}
