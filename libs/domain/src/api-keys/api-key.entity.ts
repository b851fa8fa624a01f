import { Entity, EntityRepositoryType, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { ID_LENGTH, newId } from '../common/ids';
import { Company } from '../companies/company.entity';
import { ApiKeyRepository } from './api-key.repository';

export const API_KEY_NAME_MAX_LENGTH = 100;

/**
 * A company's credential for the REST API. Only a SHA-256 digest of the secret is stored: the secret
 * is shown once, at creation. The visible prefix lets people tell their keys apart.
 */
@Entity({ tableName: 'api_keys', repository: () => ApiKeyRepository })
export class ApiKey {
  [EntityRepositoryType]?: ApiKeyRepository;

  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('key');

  @ManyToOne(() => Company, { deleteRule: 'cascade', index: true })
  company: Company;

  @Property({ type: 'string', length: API_KEY_NAME_MAX_LENGTH })
  name: string;

  @Property({ type: 'string', length: 16 })
  prefix: string;

  @Property({ type: 'string', length: 64, unique: 'api_keys_secret_hash_unique', hidden: true })
  secretHash: string;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  constructor(company: Company, name: string, prefix: string, secretHash: string) {
    this.company = company;
    this.name = name;
    this.prefix = prefix;
    this.secretHash = secretHash;
  }

  get isActive(): boolean {
    return this.revokedAt === null;
  }
}
