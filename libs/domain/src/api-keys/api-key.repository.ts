import { EntityRepository } from '@mikro-orm/core';
import type { ApiKey } from './api-key.entity';
import { decodeCursor, pageLimit, toPage, type Page, type PageRequest } from '../common/pagination';

export class ApiKeyRepository extends EntityRepository<ApiKey> {
  findForCompany(companyId: string, id: string): Promise<ApiKey | null> {
    return this.findOne({ id, company: companyId });
  }

  async pageForCompany(companyId: string, request: PageRequest): Promise<Page<ApiKey>> {
    const limit = pageLimit(request);
    const rows = await this.find(
      { company: companyId, ...(request.cursor ? { id: { $gt: decodeCursor(request.cursor) } } : {}) },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    return toPage(rows, limit);
  }

  countActive(companyId: string): Promise<number> {
    return this.count({ company: companyId, revokedAt: null });
  }

  findByHash(hash: string): Promise<ApiKey | null> {
    return this.findOne({ secretHash: hash }, { populate: ['company'] });
  }
}
