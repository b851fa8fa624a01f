import type { MikroORM } from '@mikro-orm/core';
import type { Migrator } from '@mikro-orm/migrations';

/** Applies every pending migration in one transaction; returns the names applied. */
export async function migrateDatabase(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((migration) => migration.name);
}

/** Names of the migrations not applied yet. */
export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  const pending = await (orm.getMigrator() as Migrator).getPendingMigrations();
  return pending.map((migration) => migration.name);
}
