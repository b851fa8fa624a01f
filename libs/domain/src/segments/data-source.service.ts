import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { SegmentSourceError } from '@conduit/segment-store';
import type { Principal } from '../api-keys/api-key.service';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { newId } from '../common/ids';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from '../common/pagination';
import { Company } from '../companies/company.entity';
import { CredentialCipher } from '../crypto/credential-cipher';
import { DataSourceHostPolicy, HostNotAllowedError, HostUnresolvedError } from './host-policy';
import {
  ConnectFailedError,
  DataSourceUrlError,
  PrivilegedRoleError,
  connectPostgres,
  displayPostgres,
  parsePostgresUrl,
  readPostgres,
  type PostgresTarget,
  type SqlRunOptions,
} from './postgres-source';
import { DataSource, DataSourceKind, Segment } from './segment.entity';
import { SegmentConfig } from './segment.settings';
import { SqliteFileError, readSqlite, resolveCompanySqliteFile } from './sqlite-source';

export interface CreateDataSourceInput {
  name: string;
  kind: DataSourceKind;
  /** PostgreSQL: `postgres://user:password@host:5432/db`. */
  url?: string;
  /** SQLite: a file path relative to the company's data-source folder. */
  path?: string;
}

/** What every failed connection tells the caller: whether something listens there is not theirs to learn. */
const COULD_NOT_CONNECT =
  'Conduit could not connect to the data source. Check the host, port, database, role and password, ' +
  'and that the database accepts connections from Conduit.';

const REGISTRATION_CONNECT_MS = 5_000;
const RUN_CONNECT_MS = 10_000;

/**
 * Databases SQL segments read from: the most dangerous surface of the platform, since a tenant's query
 * runs on Conduit's machines. The location (a URL with its password, or a file path) is stored
 * encrypted and never returned. Every use goes through the same guards, at registration and again at
 * each run: a SQLite file only inside the company's own folder, opened read-only in a separate
 * process; a PostgreSQL host only where the operator allows, never as a superuser, in a READ ONLY
 * transaction; a failed connection says no more than "could not connect".
 */
@Injectable()
export class DataSourceService {
  private readonly logger = new Logger(DataSourceService.name);
  private readonly hosts: DataSourceHostPolicy;

  constructor(
    private readonly em: EntityManager,
    private readonly cipher: CredentialCipher,
    @Inject(SegmentConfig) private readonly config: SegmentConfig,
  ) {
    this.hosts = new DataSourceHostPolicy(config.settings.dataSourceAllowedHosts);
  }

  async create(principal: Principal, input: CreateDataSourceInput): Promise<DataSource> {
    const id = newId('dsr');
    const { location, display } =
      input.kind === DataSourceKind.POSTGRESQL
        ? await this.checkPostgres(input.url)
        : this.checkSqlite(principal.companyId, input.path);
    const dataSource = new DataSource({
      id,
      company: this.em.getReference(Company, principal.companyId),
      name: input.name.trim(),
      kind: input.kind,
      encryptedLocation: this.cipher.encrypt(location, id),
      displayLocation: display,
      createdBy: principal.apiKeyId,
    });
    await this.em.persistAndFlush(dataSource);
    return dataSource;
  }

  async list(companyId: string, request: PageRequest): Promise<Page<DataSource>> {
    const limit = pageLimit(request);
    const rows = await this.em.find(
      DataSource,
      { company: companyId, ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}) },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit);
  }

  async get(companyId: string, dataSourceId: string): Promise<DataSource> {
    const dataSource = await this.em.findOne(DataSource, { id: dataSourceId, company: companyId });
    if (!dataSource) {
      throw new DomainException(
        ErrorCode.DATA_SOURCE_NOT_FOUND,
        `Data source ${dataSourceId} does not exist in your company.`,
        [{ field: 'dataSourceId', rule: 'exists', message: 'must be a data source of your company' }],
      );
    }
    return dataSource;
  }

  /** Refused while segments use it (they would fail on their next refresh). */
  async remove(companyId: string, dataSourceId: string): Promise<void> {
    const dataSource = await this.get(companyId, dataSourceId);
    const users = await this.em.count(Segment, { dataSource });
    if (users > 0) {
      throw new DomainException(
        ErrorCode.DATA_SOURCE_IN_USE,
        `Data source ${dataSourceId} is used by ${users} segment(s); delete them first.`,
      );
    }
    await this.em.removeAndFlush(dataSource);
  }

  /**
   * A segment query's rows, for the materializer, behind the same guards as registration (a file or a
   * role may have changed since). Failures are `SegmentSourceError`s whose message the owner can act on.
   */
  async *read(
    dataSource: DataSource,
    query: string,
    options: SqlRunOptions,
  ): AsyncIterable<Record<string, unknown>> {
    const location = this.cipher.decrypt(dataSource.encryptedLocation, dataSource.id);
    if (dataSource.kind === DataSourceKind.SQLITE) {
      let file: string;
      try {
        file = resolveCompanySqliteFile(this.config.settings.dataDir, dataSource.company.id, location);
      } catch (error) {
        throw new SegmentSourceError(`The SQLite data source file ${(error as Error).message}.`);
      }
      yield* readSqlite(file, query, options);
      return;
    }
    const client = await this.connect(parsePostgresUrl(location), { connectMs: RUN_CONNECT_MS }).catch(
      (error: unknown) => {
        throw new SegmentSourceError(
          error instanceof DomainException ? error.message : 'Conduit could not connect to the data source.',
        );
      },
    );
    yield* readPostgres(client, query, options);
  }

  private async checkPostgres(url: string | undefined): Promise<{ location: string; display: string }> {
    let target: PostgresTarget;
    try {
      target = parsePostgresUrl(url ?? '');
    } catch (error) {
      if (!(error instanceof DataSourceUrlError)) throw error;
      throw new DomainException(
        ErrorCode.VALIDATION_FAILED,
        `The data source URL is invalid: it ${error.message}.`,
        [{ field: 'url', rule: 'postgresUrl', message: error.message }],
      );
    }
    const client = await this.connect(target, { connectMs: REGISTRATION_CONNECT_MS });
    await client.end().catch(() => undefined);
    return { location: url as string, display: displayPostgres(target) };
  }

  /** Connects through every guard; each refusal becomes the domain error the caller may see. */
  private async connect(target: PostgresTarget, timeouts: { connectMs: number }) {
    try {
      return await connectPostgres(target, this.hosts, timeouts);
    } catch (error) {
      if (error instanceof HostNotAllowedError) {
        throw new DomainException(
          ErrorCode.DATA_SOURCE_HOST_NOT_ALLOWED,
          `The data source host is not allowed: ${error.message}.`,
          [
            {
              field: 'url',
              rule: 'allowedHost',
              message: 'must be a host the operator allows data sources to reach',
            },
          ],
        );
      }
      if (error instanceof PrivilegedRoleError) {
        throw new DomainException(ErrorCode.DATA_SOURCE_ROLE_PRIVILEGED, error.message, [
          {
            field: 'url',
            rule: 'leastPrivilege',
            message: 'must connect as a role without superuser or server-file rights',
          },
        ]);
      }
      // What the driver said tells what listens at that address: for the operator's log only.
      const cause = error instanceof ConnectFailedError ? error.cause : error;
      const reason = error instanceof HostUnresolvedError ? error.message : describeCause(cause);
      this.logger.warn(`Data source connection to ${displayPostgres(target)} failed: ${reason}`);
      throw new DomainException(ErrorCode.DATA_SOURCE_UNREACHABLE, COULD_NOT_CONNECT, [
        { field: 'url', rule: 'reachable', message: 'must be a database Conduit can connect to' },
      ]);
    }
  }

  private checkSqlite(companyId: string, path: string | undefined): { location: string; display: string } {
    try {
      resolveCompanySqliteFile(this.config.settings.dataDir, companyId, path ?? '');
    } catch (error) {
      if (!(error instanceof SqliteFileError)) throw error;
      throw new DomainException(
        ErrorCode.VALIDATION_FAILED,
        `The SQLite data source path is invalid: it ${error.message}.`,
        [{ field: 'path', rule: 'sqliteFile', message: error.message }],
      );
    }
    return { location: path as string, display: path as string };
  }
}

function describeCause(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/postgres(ql)?:\/\/\S+/gi, '[url]').slice(0, 300);
}
