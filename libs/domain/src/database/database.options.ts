import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { LoggerNamespace, Options } from '@mikro-orm/core';
import { LibSqlDriver } from '@mikro-orm/libsql';
import { Migrator } from '@mikro-orm/migrations';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { ENTITIES } from './entities';
import { POSTGRESQL_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';

export type DatabaseDialect = 'sqlite' | 'postgresql';

/** Typed database settings; apps build them from their validated environment. */
export interface DatabaseOptions {
  /** A PostgreSQL URL. When absent, the embedded SQLite database at `sqlitePath` is used. */
  url?: string;
  /** The SQLite file of the embedded default. */
  sqlitePath: string;
  /** Log every SQL statement through `logger` (debugging only). */
  debug?: boolean;
  logger?: (message: string) => void;
  /** Where `migration:create` writes new migration files (development only). */
  migrationsPath?: string;
}

/** Database options from the two settings every app has: an optional PostgreSQL URL and the data folder. */
export function databaseOptionsFor(settings: { databaseUrl?: string; dataDir: string }): DatabaseOptions {
  return { url: settings.databaseUrl, sqlitePath: join(settings.dataDir, 'conduit.sqlite') };
}

export function databaseDialect(options: Pick<DatabaseOptions, 'url'>): DatabaseDialect {
  return options.url ? 'postgresql' : 'sqlite';
}

/** The MikroORM configuration for either database: same entities, one migration set per dialect. */
export function createOrmOptions(options: DatabaseOptions): Options {
  const dialect = databaseDialect(options);
  const common = {
    entities: ENTITIES,
    discovery: { warnWhenNoEntities: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: {
      tableName: 'mikro_orm_migrations',
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts' as const,
      path: options.migrationsPath,
      migrationsList: dialect === 'postgresql' ? POSTGRESQL_MIGRATIONS : SQLITE_MIGRATIONS,
    },
    // Entities are returned to services, which map them to DTOs: nothing relies on implicit flushing.
    forceUtcTimezone: true,
    // Statements only: their parameters (API key hashes, credentials) never reach a log.
    debug: options.debug ? (['query'] as LoggerNamespace[]) : false,
    logger: options.logger ?? (() => undefined),
    // Every request, job and command forks its own EntityManager; the global one must never be used.
    allowGlobalContext: false,
  };
  if (dialect === 'postgresql') {
    return { ...common, driver: PostgreSqlDriver, clientUrl: options.url };
  }
  mkdirSync(dirname(options.sqlitePath), { recursive: true });
  return {
    ...common,
    driver: LibSqlDriver,
    dbName: options.sqlitePath,
    // The API and the scheduler write the same file: WAL lets readers go on while one writes, and a
    // writer waits its turn (up to 5 s) instead of failing with "database is locked".
    pool: {
      afterCreate: (connection: { exec(sql: string): void }, done: (error?: Error) => void) => {
        try {
          connection.exec(
            'PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL',
          );
          done();
        } catch (error) {
          done(error as Error);
        }
      },
    },
  };
}
