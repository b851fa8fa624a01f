import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ApiKeyService, CompanyService, UnitOfWork } from '@conduit/domain';
import { Injectable } from '@nestjs/common';

export const DEMO_COMPANY_NAME = 'Demo Company';

export interface DemoCredentials {
  companyId: string;
  apiKey: string;
  created: boolean;
}

/**
 * The embedded default's demo tenant. Its key is kept in a private file under the data folder so
 * every `npm start` can print a working key (the database only ever holds the key's hash).
 */
@Injectable()
export class DemoService {
  constructor(
    private readonly unitOfWork: UnitOfWork,
    private readonly companies: CompanyService,
    private readonly apiKeys: ApiKeyService,
  ) {}

  ensure(keyFile: string): Promise<DemoCredentials> {
    return this.unitOfWork.run(async () => {
      const saved = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
      const principal = saved ? await this.apiKeys.authenticate(saved) : null;
      if (principal) {
        return { companyId: principal.companyId, apiKey: saved, created: false };
      }
      const company =
        (await this.companies.findByName(DEMO_COMPANY_NAME)) ??
        (await this.companies.create(DEMO_COMPANY_NAME));
      const { secret } = await this.apiKeys.create(company.id, 'demo (npm start)');
      mkdirSync(dirname(keyFile), { recursive: true });
      writeFileSync(keyFile, `${secret}\n`, { mode: 0o600 });
      chmodSync(keyFile, 0o600);
      return { companyId: company.id, apiKey: secret, created: true };
    });
  }
}
