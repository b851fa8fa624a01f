import type { INestApplicationContext } from '@nestjs/common';
import { ApiKeyService } from '../api-keys/api-key.service';
import { UnitOfWork } from '../common/unit-of-work';
import { CompanyService } from '../companies/company.service';

export interface SeededCompany {
  companyId: string;
  apiKeyId: string;
  /** The API key secret, for `Authorization: Bearer`. */
  apiKey: string;
}

let sequence = 0;

/** Creates a company with one API key through the real services (a factory, not a shared stub). */
export async function seedCompany(
  app: INestApplicationContext,
  name = `Company ${++sequence}`,
): Promise<SeededCompany> {
  return app.get(UnitOfWork).run(async () => {
    const company = await app.get(CompanyService).create(name);
    const { apiKey, secret } = await app.get(ApiKeyService).create(company.id, 'test key');
    return { companyId: company.id, apiKeyId: apiKey.id, apiKey: secret };
  });
}
