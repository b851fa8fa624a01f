import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  AuthorizationService,
  Clock,
  CollaborationService,
  companySqliteFolder,
  DataSourceKind,
  DataSourceService,
  DestinationService,
  Export,
  ExportEvent,
  ExportRunner,
  ExportService,
  generateEncryptionKeySpec,
  JobRunner,
  Segment,
  SegmentMaterializer,
  SegmentService,
  UnitOfWork,
  type JobName,
  type MaintenanceReport,
  type ExportMaintenanceReport,
  type Principal,
} from '@conduit/domain';
import { createTestDatabase, seedCompany, type TestDatabase } from '@conduit/domain/testing';
import { DestinationRegistry, type DestinationProvider } from '@conduit/destinations-core';
import {
  DEFAULT_EMULATOR_OPTIONS,
  startTikTokEmulator,
  type RunningEmulator,
} from '@conduit/tiktok-emulator';
import { EntityManager, MikroORM } from '@mikro-orm/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import Database from 'libsql';
import { ExportMaintenanceJob } from '../src/jobs/export-maintenance.job';
import { SegmentMaintenanceJob } from '../src/jobs/segment-maintenance.job';
import { SchedulerModule } from '../src/scheduler.module';

// Two real scheduler application contexts (the SchedulerModule, as `main.ts` boots it) on one
// database, one row store and one TikTok emulator, sharing a clock the spec moves: what two
// scheduler replicas see, minus the process boundary.

const CALLBACK = 'http://conduit.test/oauth/callback/tiktok';
export const APP = { ...DEFAULT_EMULATOR_OPTIONS.apps[0], redirectUris: [CALLBACK] };
export const ADVERTISER = DEFAULT_EMULATOR_OPTIONS.advertisers[0].advertiserId;
export const HOUR = 3_600_000;
/** Rows of the customer table every SQL segment reads. */
export const PEOPLE = 5;
/** Never again in the suite's lifetime: a segment on it refreshes once when made due, then not again. */
export const YEARLY = '0 0 1 1 *';

/** Stopped time, moved only by the spec (to the millisecond), shared by both schedulers. */
export class TestClock extends Clock {
  constructor(private at: Date) {
    super();
  }
  override now(): Date {
    return new Date(this.at.getTime());
  }
  set(at: Date): void {
    this.at = new Date(at.getTime());
  }
  move(ms: number): void {
    this.at = new Date(this.at.getTime() + ms);
  }
}

/** What one scheduler did, as its job runner, data sources and maintenance reports saw it. */
export interface SchedulerTally {
  /** `name:id` of every job this scheduler enqueued. */
  enqueued: string[];
  /** Source queries run (a materialization that did its work), by query text. */
  reads: string[];
  segmentReports: MaintenanceReport[];
  exportReports: ExportMaintenanceReport[];
}

export interface Scheduler {
  app: INestApplicationContext;
  tally: SchedulerTally;
  /** One segment maintenance tick, through the job the interval calls. */
  maintainSegments(): Promise<MaintenanceReport>;
  maintainExports(): Promise<ExportMaintenanceReport>;
  /** Stops (or resumes) enqueuing: work asked for meanwhile is lost, as a crashed enqueue would lose it. */
  holdJobs(hold: boolean): void;
  /** A second delivery of a job: its handler, as the runner calls it, in its own unit of work. */
  deliver(name: JobName, id: string): Promise<void>;
}

export interface SchedulerWorld {
  db: TestDatabase;
  clock: TestClock;
  tiktok: RunningEmulator;
  a: Scheduler;
  b: Scheduler;
  principal: Principal;
  collaborationId: string;
  dataSourceId: string;
  destinationId: string;
  /** Source queries wait (once started: the run has claimed its segment) until the returned release. */
  holdSources(): () => void;
  close(): Promise<void>;
}

/** While `wait` is set, every source read waits for it before its first row. */
interface SourceGate {
  wait?: Promise<void>;
}

async function* gated<T>(gate: SourceGate, rows: () => AsyncIterable<T>): AsyncIterable<T> {
  await gate.wait;
  yield* rows();
}

const silent = new Writable({ write: (_chunk, _encoding, done) => done() });

/**
 * The emulator (audiences valid at once), a fresh database, and two schedulers whose intervals never
 * fire during a spec (every tick is the spec's call). `env` adds variables (e.g. REDIS_URL).
 */
export async function startSchedulerWorld(env: Record<string, string> = {}): Promise<SchedulerWorld> {
  const tiktok = await startTikTokEmulator({
    apps: [APP],
    minValidAudienceSize: 1,
    minAudienceSizeAfterUpdate: 1,
    processingDelayMs: 0,
    rateLimit: { perSecond: 1000, perMinute: 100_000 },
  });
  const db = await createTestDatabase();
  const savedEnv = { ...process.env };
  Object.assign(
    process.env,
    db.env,
    {
      SCHEDULER_HEARTBEAT_SECONDS: '3600',
      SEGMENT_MAINTENANCE_SECONDS: '3600',
      EXPORT_MAINTENANCE_SECONDS: '3600',
      AUTHORIZATION_HEALTH_CHECK_MINUTES: String(7 * 24 * 60),
      CONDUIT_ENCRYPTION_KEYS: generateEncryptionKeySpec('test'),
      TIKTOK_APP_ID: APP.appId,
      TIKTOK_APP_SECRET: APP.secret,
      TIKTOK_API_BASE_URL: tiktok.apiBaseUrl,
      TIKTOK_AUTHORIZE_URL: `${tiktok.url}/portal/auth`,
      REDIS_URL: '',
      // Two schedulers in one process: no metrics endpoint (they would want the same port).
      METRICS_PORT: '0',
      LOG_LEVEL: 'warn',
    },
    env,
  );
  const clock = new TestClock(new Date());
  const gate: SourceGate = {};
  const holdSources = () => {
    let release = () => undefined as void;
    gate.wait = new Promise<void>((resolve) => (release = resolve));
    return () => {
      gate.wait = undefined;
      release();
    };
  };
  const opened: Scheduler[] = [];
  const close = async () => {
    for (const scheduler of [...opened].reverse()) await scheduler.app.close();
    await db.destroy();
    await tiktok.close();
    for (const key of Object.keys(process.env)) if (!(key in savedEnv)) delete process.env[key];
    Object.assign(process.env, savedEnv);
  };
  try {
    opened.push(await bootScheduler(clock, gate));
    // SQLite's driver is synchronous: two connections to one file in one process would block each
    // other's event loop while one waits for the other's lock (the embedded deployment runs one
    // scheduler, beside the API's process). There the second scheduler borrows the first one's
    // connection; each still works in its own units of work, interleaved at every query.
    const shared = db.dialect === 'sqlite' ? opened[0].app.get(MikroORM) : undefined;
    opened.push(await bootScheduler(clock, gate, shared));
    const [a, b] = opened as [Scheduler, Scheduler];
    return { ...(await seedWorld(a, db, tiktok)), db, clock, tiktok, a, b, holdSources, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The company every spec works for: a collaboration, a SQLite data source, a TikTok destination. */
async function seedWorld(
  a: Scheduler,
  db: TestDatabase,
  tiktok: RunningEmulator,
): Promise<Pick<SchedulerWorld, 'principal' | 'collaborationId' | 'dataSourceId' | 'destinationId'>> {
  const company = await seedCompany(a.app, 'Races');
  const principal: Principal = { companyId: company.companyId, apiKeyId: company.apiKeyId };
  const inUnit = <T>(work: () => Promise<T>) => a.app.get(UnitOfWork).run(work);

  const folder = companySqliteFolder(db.env['CONDUIT_DATA_DIR'] as string, company.companyId);
  mkdirSync(folder, { recursive: true });
  const people = new Database(join(folder, 'people.sqlite'));
  people.exec('CREATE TABLE people (email TEXT)');
  const insert = people.prepare('INSERT INTO people VALUES (?)');
  for (let n = 0; n < PEOPLE; n++) insert.run(`person${n}@example.com`);
  people.close();

  const collaborationId = (
    await inUnit(() => a.app.get(CollaborationService).create(principal.companyId, { name: 'Races' }))
  ).id;
  const dataSourceId = (
    await inUnit(() =>
      a.app
        .get(DataSourceService)
        .create(principal, { name: 'People', kind: DataSourceKind.SQLITE, path: 'people.sqlite' }),
    )
  ).id;
  const authorizationId = await connectTikTok(a.app, tiktok, principal);
  const destinationId = (
    await inUnit(() =>
      a.app.get(DestinationService).create(principal, {
        name: 'TikTok',
        provider: 'tiktok',
        authorizationId,
        config: { advertiserId: ADVERTISER, audienceName: 'Scheduler races', action: 'Create' },
        editableFields: ['audienceName'],
      }),
    )
  ).id;
  return { principal, collaborationId, dataSourceId, destinationId };
}

async function bootScheduler(clock: Clock, gate: SourceGate, sharedOrm?: MikroORM): Promise<Scheduler> {
  const builder = Test.createTestingModule({
    imports: [await SchedulerModule.forRoot({ envFile: false, logStream: silent })],
  })
    .overrideProvider(Clock)
    .useValue(clock);
  if (sharedOrm) {
    // The borrowed ORM is closed by its owner, after this scheduler.
    const borrowed = new Proxy(sharedOrm, {
      get: (target, property) =>
        property === 'close' ? async () => undefined : Reflect.get(target, property),
    });
    builder.overrideProvider(MikroORM).useValue(borrowed);
  }
  const moduleRef = await builder.compile();
  const app = await moduleRef.init();
  const tally: SchedulerTally = { enqueued: [], reads: [], segmentReports: [], exportReports: [] };
  const jobs = app.get(JobRunner);
  const enqueue = jobs.enqueue.bind(jobs);
  let held = false;
  jest.spyOn(jobs, 'enqueue').mockImplementation(async (name, id, companyId) => {
    if (held) return;
    tally.enqueued.push(`${name}:${id}`);
    await enqueue(name, id, companyId);
  });
  const sources = app.get(DataSourceService);
  const read = sources.read.bind(sources);
  jest.spyOn(sources, 'read').mockImplementation((source, query, options) => {
    tally.reads.push(query);
    return gated(gate, () => read(source, query, options));
  });
  const unitOfWork = app.get(UnitOfWork);
  return {
    app,
    tally,
    maintainSegments: async () => {
      const report = await app.get(SegmentMaintenanceJob).run();
      // A tick called while the previous one runs joins it: the same report, counted once.
      if (!tally.segmentReports.includes(report)) tally.segmentReports.push(report);
      return report;
    },
    maintainExports: async () => {
      const report = await app.get(ExportMaintenanceJob).run();
      if (!tally.exportReports.includes(report)) tally.exportReports.push(report);
      return report;
    },
    holdJobs: (hold) => {
      held = hold;
    },
    deliver: (name, id) =>
      unitOfWork.run(() =>
        name === 'export.run' ? app.get(ExportRunner).run(id) : app.get(SegmentMaterializer).run(id),
      ),
  };
}

/** A real consent against the emulator, through the domain's own OAuth steps. */
async function connectTikTok(
  app: INestApplicationContext,
  tiktok: RunningEmulator,
  principal: Principal,
): Promise<string> {
  const inUnit = <T>(work: () => Promise<T>) => app.get(UnitOfWork).run(work);
  const authorizations = app.get(AuthorizationService);
  const started = await inUnit(() =>
    authorizations.create(principal, { name: 'TikTok', provider: 'tiktok' }, CALLBACK),
  );
  const state = new URL(started.authorizeUrl).searchParams.get('state') as string;
  const back = await tiktok.confirmConsent({ state, redirectUri: CALLBACK });
  const accepted = await inUnit(() => authorizations.acceptCallbackState('tiktok', state));
  const provider = app.get(DestinationRegistry).find('tiktok') as DestinationProvider;
  const grant = await provider.authorization.exchangeCode({
    code: back.searchParams.get('auth_code') as string,
    redirectUri: CALLBACK,
  });
  await inUnit(() => authorizations.completeCallback(accepted, grant));
  return started.authorization.id;
}

/** Helpers over a world: seeding through the real services, reading state through a fresh context. */
export class WorldTools {
  private sequence = 0;

  constructor(private readonly world: SchedulerWorld) {}

  private get app(): INestApplicationContext {
    return this.world.a.app;
  }

  inUnit<T>(work: () => Promise<T>): Promise<T> {
    return this.app.get(UnitOfWork).run(work);
  }

  /** A query no other segment runs, so the reads of each segment's source can be counted. */
  queryOf(n: number): string {
    return `SELECT email FROM people WHERE ${n} = ${n}`;
  }

  /** A SQL segment, materialized (READY) unless `hold`: then left PENDING with its job lost. */
  async sqlSegment(options: { refreshSchedule?: string; hold?: boolean } = {}): Promise<Segment> {
    const n = ++this.sequence;
    const { a, b } = this.world;
    if (options.hold) [a, b].forEach((scheduler) => scheduler.holdJobs(true));
    try {
      const segment = await this.inUnit(() =>
        this.app.get(SegmentService).create(this.world.principal, this.world.collaborationId, {
          name: `Segment ${n} ${randomBytes(2).toString('hex')}`,
          source: { type: 'sql', dataSourceId: this.world.dataSourceId, query: this.queryOf(n) },
          keyColumns: [{ column: 'email', keyType: 'EMAIL', encoding: 'RAW' }],
          refreshSchedule: options.refreshSchedule ?? null,
        }),
      );
      await this.idle();
      return this.segment(segment.id);
    } finally {
      if (options.hold) [a, b].forEach((scheduler) => scheduler.holdJobs(false));
    }
  }

  /** An export of a READY segment, left QUEUED with its job lost (the spec decides what happens next). */
  async queuedExport(segmentId: string, audienceName: string): Promise<string> {
    const { a, b } = this.world;
    [a, b].forEach((scheduler) => scheduler.holdJobs(true));
    try {
      const exported = await this.inUnit(() =>
        this.app.get(ExportService).create(this.world.principal, this.world.collaborationId, segmentId, {
          destinationId: this.world.destinationId,
          overrides: { audienceName },
        }),
      );
      return exported.id;
    } finally {
      [a, b].forEach((scheduler) => scheduler.holdJobs(false));
    }
  }

  /** Both schedulers' jobs done (and whatever those jobs queued). */
  async idle(): Promise<void> {
    for (let pass = 0; pass < 3; pass++) {
      await this.world.a.app.get(JobRunner).idle();
      await this.world.b.app.get(JobRunner).idle();
    }
  }

  segment(id: string): Promise<Segment> {
    return this.app.get(EntityManager).fork().findOneOrFail(Segment, { id });
  }

  /** Sets columns directly: the state a crash, a lost job or time passing would have left. */
  async updateSegment(id: string, values: Partial<Segment>): Promise<void> {
    await this.app.get(EntityManager).fork().nativeUpdate(Segment, { id }, values);
  }

  async updateExport(id: string, values: Partial<Export>): Promise<void> {
    await this.app.get(EntityManager).fork().nativeUpdate(Export, { id }, values);
  }

  exported(id: string): Promise<Export> {
    return this.app.get(EntityManager).fork().findOneOrFail(Export, { id });
  }

  /** Every segment, as the database holds it now. */
  segments(): Promise<Segment[]> {
    return this.app
      .get(EntityManager)
      .fork()
      .find(Segment, {}, { orderBy: { id: 'asc' } });
  }

  /** The export's log, by event type: how many of each. */
  async eventCounts(exportId: string): Promise<Record<string, number>> {
    const events = await this.app
      .get(EntityManager)
      .fork()
      .find(ExportEvent, { export: exportId }, { orderBy: { id: 'asc' } });
    const counts: Record<string, number> = {};
    for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
    return counts;
  }

  /** Whether the row store still holds the dataset's files. */
  hasRows(datasetId: string): boolean {
    return existsSync(join(this.world.db.env['CONDUIT_DATA_DIR'] as string, 'segments', datasetId));
  }

  /** The emulator's audience of that name: identifiers held, and how many files were applied to it. */
  audience(name: string): { size: number; identifiers: number; changes: number } | undefined {
    const found = this.world.tiktok.emulator
      .inspectAudiences(ADVERTISER)
      .filter((audience) => audience['name'] === name);
    if (found.length > 1) throw new Error(`${found.length} audiences named ${name}: one was created twice`);
    const [audience] = found as { size: number; identifiers: unknown; history: unknown[] }[];
    if (!audience) return undefined;
    return {
      size: audience.size,
      identifiers: countIdentifiers(audience.identifiers),
      changes: audience.history.length,
    };
  }

  /** Every entry of `list` that occurs more than once, with its count. */
  static duplicates(list: readonly string[]): Record<string, number> {
    const counts = new Map<string, number>();
    for (const entry of list) counts.set(entry, (counts.get(entry) ?? 0) + 1);
    return Object.fromEntries([...counts].filter(([, count]) => count > 1));
  }

  /** How many times each of `ids` occurs in the reports' `field`, over both schedulers. */
  occurrences(field: keyof MaintenanceReport, ids: readonly string[]): Record<string, number> {
    const all = [this.world.a, this.world.b].flatMap((scheduler) =>
      scheduler.tally.segmentReports.flatMap((report) => report[field]),
    );
    return Object.fromEntries(ids.map((id) => [id, all.filter((entry) => entry === id).length]));
  }

  /** Source reads of segment `n`'s query, over both schedulers. */
  readsOf(query: string): number {
    return [this.world.a, this.world.b]
      .flatMap((scheduler) => scheduler.tally.reads)
      .filter((read) => read === query).length;
  }

  /** Uploads TikTok accepted, so far. */
  uploads(): number {
    return this.world.tiktok.emulator.requests.filter(
      (entry) => entry.path === '/dmp/custom_audience/file/upload/' && entry.code === 0,
    ).length;
  }
}

/** Identifiers an audience holds, over its key types (`contents()`: count and digest per type). */
function countIdentifiers(contents: unknown): number {
  return Object.values(contents as Record<string, { count: number }>).reduce(
    (sum, typed) => sum + typed.count,
    0,
  );
}
