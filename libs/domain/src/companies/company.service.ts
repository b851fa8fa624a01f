import { EntityManager } from '@mikro-orm/core';
import { Injectable } from '@nestjs/common';
import { DomainException, ErrorCode } from '../common/domain.exception';
import { Company, COMPANY_NAME_MAX_LENGTH } from './company.entity';

@Injectable()
export class CompanyService {
  constructor(private readonly em: EntityManager) {}

  async create(name: string): Promise<Company> {
    const company = new Company(validName(name));
    await this.em.persistAndFlush(company);
    return company;
  }

  async rename(companyId: string, name: string): Promise<Company> {
    const company = await this.get(companyId);
    company.name = validName(name);
    await this.em.flush();
    return company;
  }

  /** The company itself; a missing id is COMPANY_NOT_FOUND. */
  async get(companyId: string): Promise<Company> {
    const company = await this.em.findOne(Company, { id: companyId });
    if (!company) {
      throw new DomainException(ErrorCode.COMPANY_NOT_FOUND, `Company ${companyId} does not exist.`);
    }
    return company;
  }

  async findByName(name: string): Promise<Company | null> {
    return this.em.findOne(Company, { name: name.trim() }, { orderBy: { id: 'asc' } });
  }
}

function validName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.length === 0 || trimmed.length > COMPANY_NAME_MAX_LENGTH) {
    throw new DomainException(
      ErrorCode.VALIDATION_FAILED,
      `A company name must be 1-${COMPANY_NAME_MAX_LENGTH} characters.`,
      [
        {
          field: 'name',
          rule: 'length',
          message: `must be 1-${COMPANY_NAME_MAX_LENGTH} characters after trimming`,
        },
      ],
    );
  }
  return trimmed;
}
