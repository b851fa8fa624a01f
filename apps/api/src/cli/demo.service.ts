import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  ApiKeyService,
  CompanyService,
  companySqliteFolder,
  DataSourceKind,
  DataSourceService,
  UnitOfWork,
  type DataSource,
  type Principal,
} from '@conduit/domain';
import { Injectable } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import type { ApiEnv } from '../config/api.env';
import { DEMO_CRM_FILE, ensureDemoCrm } from './demo-crm';

export const DEMO_COMPANY_NAME = 'Demo Company';
export const DEMO_DATA_SOURCE_NAME = 'Demo CRM (synthetic)';

export interface DemoCredentials {
  companyId: string;
  apiKey: string;
  created: boolean;
  /** The demo company's SQLite data source (`dsr_…`): a synthetic CRM for SQL segments. */
  dataSourceId: string;
  /** Where that CRM's file is. */
  dataSourceFile: string;
}

/**
 * The embedded default's demo tenant. Its key is kept in a private file under the data folder so
 * every `npm start` can print a working key (the database only ever holds the key's hash). It also
 * gets a synthetic CRM as a SQLite data source, so the README's SQL segment runs on a fresh clone.
 */
@Injectable()
export class DemoService {
  private readonly dataDir: string;

  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly companies: CompanyService,
    private readonly apiKeys: ApiKeyService,
    private readonly dataSources: DataSourceService,
    config: ConfigService<ApiEnv, true>,
  ) {
    this.dataDir = config.get('CONDUIT_DATA_DIR', { infer: true });
  }

  ensure(keyFile: string): Promise<DemoCredentials> {
    return this.unitOfWork.run(async () => {
      const { principal, apiKey, created } = await this.ensureKey(keyFile);
      const { dataSource, file } = await this.ensureDataSource(principal);
      return {
        companyId: principal.companyId,
        apiKey,
        created,
        dataSourceId: dataSource.id,
        dataSourceFile: file,
      };
    });
  }

  private async ensureKey(
    keyFile: string,
  ): Promise<{ principal: Principal; apiKey: string; created: boolean }> {
    const saved = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
    const principal = saved ? await this.apiKeys.authenticate(saved) : null;
    if (principal) return { principal, apiKey: saved, created: false };
    const company =
      (await this.companies.findByName(DEMO_COMPANY_NAME)) ??
      (await this.companies.create(DEMO_COMPANY_NAME));
    const { apiKey, secret } = await this.apiKeys.create(company.id, 'demo (npm start)');
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, `${secret}\n`, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    return { principal: { companyId: company.id, apiKeyId: apiKey.id }, apiKey: secret, created: true };
  }

  /** The CRM file is written once (kept if present); the data source is registered once. */
  private async ensureDataSource(principal: Principal): Promise<{ dataSource: DataSource; file: string }> {
    const folder = companySqliteFolder(this.dataDir, principal.companyId);
    const file = join(folder, DEMO_CRM_FILE);
    mkdirSync(folder, { recursive: true });
    ensureDemoCrm(file);
    const existing = await this.findDemoDataSource(principal.companyId);
    const dataSource =
      existing ??
      (await this.dataSources.create(principal, {
        name: DEMO_DATA_SOURCE_NAME,
        kind: DataSourceKind.SQLITE,
        path: DEMO_CRM_FILE,
      }));
    return { dataSource, file };
  }

  private async findDemoDataSource(companyId: string): Promise<DataSource | undefined> {
    let cursor: string | undefined;
    do {
      const page = await this.dataSources.list(companyId, { limit: 200, ...(cursor ? { cursor } : {}) });
      const found = page.data.find(
        (source) =>
          source.kind === DataSourceKind.SQLITE &&
          source.name === DEMO_DATA_SOURCE_NAME &&
          source.displayLocation === DEMO_CRM_FILE,
      );
      if (found) return found;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return undefined;
  }
}
