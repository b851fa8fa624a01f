import type { MigrationObject } from '@mikro-orm/core';
import { POSTGRESQL_MIGRATION_LIST } from './postgresql';
import { SQLITE_MIGRATION_LIST } from './sqlite';

// Two dialects, two generated migration sets over the same entities (`npm run migration:create`).
export const POSTGRESQL_MIGRATIONS: MigrationObject[] = POSTGRESQL_MIGRATION_LIST;
export const SQLITE_MIGRATIONS: MigrationObject[] = SQLITE_MIGRATION_LIST;
