import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { ID_LENGTH, newId } from '../common/ids';
import { Company } from '../companies/company.entity';

export const AUTHORIZATION_NAME_MAX_LENGTH = 100;

export enum AuthorizationStatus {
  /** Created; waiting for the account owner's consent at the provider. */
  PENDING = 'PENDING',
  /** Credentials issued and, at the last health check, working. */
  AUTHENTICATED = 'AUTHENTICATED',
  /** The provider no longer accepts the credentials (revoked, expired): re-authorize. */
  REVOKED = 'REVOKED',
  /** The consent could not be completed (see `lastError`): re-authorize. */
  ERROR = 'ERROR',
}

/** An account the authorization grants access to at the provider (TikTok: an advertiser). */
export interface AuthorizedAccount {
  id: string;
  name: string;
}

/**
 * A company's connection to one account at a destination provider, made through OAuth. The provider's
 * credentials are stored only encrypted (AES-256-GCM, bound to this row's id), never returned.
 */
@Entity({ tableName: 'authorizations' })
@Unique({ name: 'authorizations_company_name_unique', properties: ['company', 'name'] })
@Index({ name: 'authorizations_health_index', properties: ['status', 'lastCheckedAt'] })
export class Authorization {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('aut');

  @ManyToOne(() => Company, { deleteRule: 'cascade', index: true })
  company: Company;

  @Property({ type: 'string', length: 32 })
  provider: string;

  @Property({ type: 'string', length: AUTHORIZATION_NAME_MAX_LENGTH })
  name: string;

  // A plain string column: MikroORM's SQLite introspection misreads CHECK lists of more than two
  // values, so an @Enum here would make every schema diff report a phantom change.
  @Property({ type: 'string', length: 16 })
  status: AuthorizationStatus = AuthorizationStatus.PENDING;

  /** `v1:<key id>:<iv>:<tag>:<ciphertext>` of the provider's credentials JSON. */
  @Property({ type: 'text', nullable: true, hidden: true })
  encryptedCredentials: string | null = null;

  @Property({ type: 'json' })
  accounts: AuthorizedAccount[] = [];

  /** The API key that created it. */
  @Property({ type: 'string', length: ID_LENGTH, nullable: true })
  createdBy: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  authenticatedAt: Date | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastCheckedAt: Date | null = null;

  /** A stable code for the last failure (e.g. `PROVIDER_REJECTED_CODE`, `STATE_EXPIRED`). */
  @Property({ type: 'string', length: 64, nullable: true })
  lastErrorCode: string | null = null;

  @Property({ type: 'text', nullable: true })
  lastErrorMessage: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  lastErrorAt: Date | null = null;

  /** SHA-256 of the nonce of the one OAuth `state` currently valid for this record; cleared when used. */
  @Property({ type: 'string', length: 64, nullable: true, hidden: true })
  stateNonceHash: string | null = null;

  constructor(company: Company, provider: string, name: string, createdBy: string | null) {
    this.company = company;
    this.provider = provider;
    this.name = name;
    this.createdBy = createdBy;
  }

  recordError(code: string, message: string, at = new Date()): void {
    this.lastErrorCode = code;
    this.lastErrorMessage = message;
    this.lastErrorAt = at;
  }

  clearError(): void {
    this.lastErrorCode = null;
    this.lastErrorMessage = null;
    this.lastErrorAt = null;
  }
}
