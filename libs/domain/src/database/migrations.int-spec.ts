import { MikroORM } from '@mikro-orm/core';
import { createTestDatabase, type TestDatabase } from '../testing';
import { createOrmOptions } from './database.options';
import { pendingMigrations } from './migrate';

describe(`migrations (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let db: TestDatabase;
  let orm: MikroORM;

  beforeAll(async () => {
    db = await createTestDatabase();
    orm = await MikroORM.init(createOrmOptions(db.options));
  });

  afterAll(async () => {
    await orm.close(true);
    await db.destroy();
  });

  it('leaves nothing pending once applied', async () => {
    await expect(pendingMigrations(orm)).resolves.toEqual([]);
  });

  it('produce exactly the schema the entities describe (a new entity change needs a new migration)', async () => {
    const diff = await orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
    expect(diff.trim()).toBe('');
  });

  (isSqlite() ? it : it.skip)('opens SQLite for concurrent use: WAL journal and a busy timeout', async () => {
    const connection = orm.em.getConnection();
    expect(await connection.execute('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await connection.execute('PRAGMA busy_timeout')).toEqual([{ timeout: 5000 }]);
  });
});

function isSqlite(): boolean {
  return !process.env['DATABASE_URL'];
}
