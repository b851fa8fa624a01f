import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { EntityManager } from '@mikro-orm/core';
import { Inject, Injectable } from '@nestjs/common';
import { Client } from 'pg';
import type { Principal } from '../api-keys/api-key.service';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { newId } from '../common/ids';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from '../common/pagination';
import { Company } from '../companies/company.entity';
import { CredentialCipher } from '../crypto/credential-cipher';
import { DataSource, DataSourceKind, Segment } from './segment.entity';
import { SegmentConfig } from './segment.settings';

export interface CreateDataSourceInput {
  name: string;
  kind: DataSourceKind;
  /** PostgreSQL: `postgres://user:password@host:5432/db`. */
  url?: string;
  /** SQLite: a file path relative to the data directory (the embedded demo). */
  path?: string;
}

/**
 * Databases SQL segments read from. The location (a URL with its password, or a file path) is stored
 * encrypted and never returned; a new data source is tried before it is saved.
 */
@Injectable()
export class DataSourceService {
  constructor(
    private readonly em: EntityManager,
    private readonly cipher: CredentialCipher,
    @Inject(SegmentConfig) private readonly config: SegmentConfig,
  ) {}

  async create(principal: Principal, input: CreateDataSourceInput): Promise<DataSource> {
    const id = newId('dsr');
    const { location, display } =
      input.kind === DataSourceKind.POSTGRESQL
        ? await this.checkPostgres(input.url)
        : this.checkSqlite(input.path);
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

  /** The decrypted location, for the materializer only. */
  locationOf(dataSource: DataSource): string {
    const location = this.cipher.decrypt(dataSource.encryptedLocation, dataSource.id);
    return dataSource.kind === DataSourceKind.SQLITE
      ? resolve(this.config.settings.dataDir, location)
      : location;
  }

  private async checkPostgres(url: string | undefined): Promise<{ location: string; display: string }> {
    let parsed: URL | undefined;
    try {
      parsed = url ? new URL(url) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!url || !parsed || !/^postgres(ql)?:$/.test(parsed.protocol) || !parsed.hostname) {
      throw new DomainException(ErrorCode.VALIDATION_FAILED, 'The data source URL is invalid.', [
        {
          field: 'url',
          rule: 'postgresUrl',
          message: 'must be a PostgreSQL URL such as postgres://user:password@host:5432/db',
        },
      ]);
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('SELECT 1');
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).replace(
        /postgres(ql)?:\/\/\S+/gi,
        '[url]',
      );
      throw new DomainException(
        ErrorCode.DATA_SOURCE_UNREACHABLE,
        `Conduit could not connect to the data source: ${reason.slice(0, 200)}.`,
        [{ field: 'url', rule: 'reachable', message: 'must be a database Conduit can connect to' }],
      );
    } finally {
      await client.end().catch(() => undefined);
    }
    return { location: url, display: `${parsed.hostname}:${parsed.port || 5432}${parsed.pathname}` };
  }

  private checkSqlite(path: string | undefined): { location: string; display: string } {
    const root = resolve(this.config.settings.dataDir);
    const full = path ? resolve(root, path) : '';
    const inside = path && !isAbsolute(path) && !relative(root, full).startsWith('..');
    if (!path || !inside || !existsSync(full) || !statSync(full).isFile()) {
      throw new DomainException(ErrorCode.VALIDATION_FAILED, 'The SQLite data source path is invalid.', [
        {
          field: 'path',
          rule: 'sqliteFile',
          message: 'must be an existing SQLite file, given relative to the data directory (CONDUIT_DATA_DIR)',
        },
      ]);
    }
    return { location: relative(root, full), display: relative(root, full) };
  }
}
