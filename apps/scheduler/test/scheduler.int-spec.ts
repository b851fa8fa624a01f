import { Writable } from 'node:stream';
import {
  generateEncryptionKeySpec,
  SchedulerInstance,
  SchedulerInstanceService,
  UnitOfWork,
} from '@conduit/domain';
import { createTestDatabase, type TestDatabase } from '@conduit/domain/testing';
import { InvalidEnvironmentError } from '@conduit/config';
import { EntityManager } from '@mikro-orm/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { HeartbeatJob } from '../src/jobs/heartbeat.job';
import { SegmentMaintenanceJob } from '../src/jobs/segment-maintenance.job';
import { SchedulerModule } from '../src/scheduler.module';

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

describe(`scheduler (${process.env['DATABASE_URL'] ? 'PostgreSQL' : 'SQLite'})`, () => {
  let db: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    Object.assign(process.env, db.env, {
      SCHEDULER_HEARTBEAT_SECONDS: '3600',
      CONDUIT_ENCRYPTION_KEYS: generateEncryptionKeySpec('test'),
    });
    const moduleRef = await Test.createTestingModule({
      imports: [await SchedulerModule.forRoot({ envFile: false, logStream: silent })],
    }).compile();
    app = await moduleRef.init();
  });

  afterAll(async () => {
    await app.close();
    await db.destroy();
  });

  const instances = () =>
    app
      .get(UnitOfWork)
      .run(() => app.get(EntityManager).find(SchedulerInstance, {}, { orderBy: { id: 'asc' } }));

  it('registers itself at boot', async () => {
    const job = app.get(HeartbeatJob);
    expect(job.id).toMatch(/^sch_/);
    expect((await instances()).map((instance) => instance.id)).toEqual([job.id]);
  });

  it('beats in its own unit of work and prunes silent instances', async () => {
    const job = app.get(HeartbeatJob);
    const [before] = await instances();
    const stale = await app.get(UnitOfWork).run(async () => {
      const other = await app.get(SchedulerInstanceService).register('gone-host', 1);
      await app
        .get(SchedulerInstanceService)
        .beat(other.id, 'gone-host', 1, new Date(Date.now() - 3_600_000));
      return other.id;
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await job.beat(60_000);
    const after = await instances();
    expect(after.map((instance) => instance.id)).toEqual([job.id]);
    expect(after[0].lastBeatAt.getTime()).toBeGreaterThan(before.lastBeatAt.getTime());
    expect(after.map((instance) => instance.id)).not.toContain(stale);
  });

  it('runs the segment maintenance tick in its own unit of work', async () => {
    const report = await app.get(SegmentMaintenanceJob).run();
    expect(report).toEqual({
      expired: [],
      dataDeleted: [],
      refreshed: [],
      retried: [],
      failed: [],
      leftoversRemoved: [],
    });
  });

  it('re-registers if its row was removed', async () => {
    const job = app.get(HeartbeatJob);
    await app.get(UnitOfWork).run(() => app.get(EntityManager).nativeDelete(SchedulerInstance, {}));
    await job.beat(60_000);
    expect((await instances()).map((instance) => instance.id)).toEqual([job.id]);
  });
});

describe('scheduler configuration', () => {
  it('refuses to boot with every invalid variable listed', async () => {
    process.env['SCHEDULER_HEARTBEAT_SECONDS'] = '0';
    process.env['REDIS_URL'] = 'localhost:6379';
    process.env['DATABASE_URL'] = 'mysql://nope';
    const attempt = SchedulerModule.forRoot({ envFile: false });
    await expect(attempt).rejects.toBeInstanceOf(InvalidEnvironmentError);
    await expect(attempt).rejects.toThrow(
      /SCHEDULER_HEARTBEAT_SECONDS[\s\S]*REDIS_URL|REDIS_URL[\s\S]*SCHEDULER_HEARTBEAT_SECONDS/,
    );
    await expect(attempt).rejects.toThrow(/DATABASE_URL: must be a PostgreSQL URL/);
  });
});
