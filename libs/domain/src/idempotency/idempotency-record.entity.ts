import { Entity, ManyToOne, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { ID_LENGTH, newId } from '../common/ids';
import { Company } from '../companies/company.entity';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * A write that starts work, as recorded under the `Idempotency-Key` its caller sent: while it runs
 * the response columns are empty; once it succeeded, a repeat with the same key gets this response.
 */
@Entity({ tableName: 'idempotency_records' })
@Unique({ name: 'idempotency_records_company_key_unique', properties: ['company', 'key'] })
export class IdempotencyRecord {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('idm');

  @ManyToOne(() => Company, { deleteRule: 'cascade' })
  company: Company;

  @Property({ type: 'string', length: IDEMPOTENCY_KEY_MAX_LENGTH })
  key: string;

  /** SHA-256 of the operation and its body: the same key sent with another request is refused. */
  @Property({ type: 'string', length: 64 })
  fingerprint: string;

  /** `POST /collaborations/…/refresh`: named in the error when the key is reused for another one. */
  @Property({ type: 'string', length: 300 })
  operation: string;

  @Property({ type: 'integer', nullable: true })
  responseStatus: number | null = null;

  @Property({ type: 'text', nullable: true })
  responseBody: string | null = null;

  /** When the request began (renewed when a stale attempt is taken over). */
  @Property({ type: 'datetime' })
  startedAt: Date;

  @Property({ type: 'datetime', index: true })
  expiresAt: Date;

  constructor(
    company: Company,
    key: string,
    fingerprint: string,
    operation: string,
    startedAt: Date,
    expiresAt: Date,
  ) {
    this.company = company;
    this.key = key;
    this.fingerprint = fingerprint;
    this.operation = operation;
    this.startedAt = startedAt;
    this.expiresAt = expiresAt;
  }
}
