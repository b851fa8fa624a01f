import type { ConfigValue } from '@conduit/destinations-core';
import { Entity, Index, ManyToOne, PrimaryKey, Property } from '@mikro-orm/core';
import { Authorization } from '../authorizations/authorization.entity';
import { Collaboration } from '../collaborations/collaboration.entity';
import { ID_LENGTH, newId } from '../common/ids';
import { Company } from '../companies/company.entity';

export const DESTINATION_NAME_MAX_LENGTH = 100;

/**
 * Where segments are exported: a provider, the authorization that reaches it, and the provider's config
 * values. Each field is locked or editable at export time (a "runtime variable"); editable fields are
 * what the exporting company, owner or grantee, may set. Deleting keeps the row (exports stay readable).
 */
@Entity({ tableName: 'destinations' })
// The list's query (owner, not deleted, ordered by id, one page): the index answers it in order, with no
// sort of every destination the company has (10 k destinations: ~40 ms a page on SQLite without `id`).
@Index({ name: 'destinations_owner_index', properties: ['owner', 'deletedAt', 'id'] })
export class Destination {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('dst');

  @ManyToOne(() => Company, { deleteRule: 'cascade' })
  owner: Company;

  @Property({ type: 'string', length: 32 })
  provider: string;

  /** Null once the authorization was deleted with `force`: exports refuse until another is linked. */
  @ManyToOne(() => Authorization, { nullable: true, deleteRule: 'set null', index: true })
  authorization: Authorization | null;

  @Property({ type: 'string', length: DESTINATION_NAME_MAX_LENGTH })
  name: string;

  /** The owner's values (validated by the provider's field schema); editable ones are defaults. */
  @Property({ type: 'json' })
  config: Record<string, ConfigValue>;

  /** Fields the exporting company may set at export time. */
  @Property({ type: 'json' })
  editableFields: string[];

  /** Locked fields whose values grantees may see (default: none). */
  @Property({ type: 'json' })
  visibleFields: string[];

  @Property({ type: 'string', length: ID_LENGTH, nullable: true })
  createdBy: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  deletedAt: Date | null = null;

  constructor(input: {
    owner: Company;
    provider: string;
    authorization: Authorization;
    name: string;
    config: Record<string, ConfigValue>;
    editableFields: string[];
    visibleFields: string[];
    createdBy: string | null;
  }) {
    this.owner = input.owner;
    this.provider = input.provider;
    this.authorization = input.authorization;
    this.name = input.name;
    this.config = input.config;
    this.editableFields = input.editableFields;
    this.visibleFields = input.visibleFields;
    this.createdBy = input.createdBy;
  }
}

/** Lets a member company of a collaboration use a destination there; revocable. */
@Entity({ tableName: 'destination_shares' })
@Index({ name: 'destination_shares_grantee_index', properties: ['grantee', 'revokedAt'] })
export class DestinationShare {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('shr');

  @ManyToOne(() => Destination, { deleteRule: 'cascade', index: true })
  destination: Destination;

  @ManyToOne(() => Collaboration, { deleteRule: 'cascade', index: true })
  collaboration: Collaboration;

  @ManyToOne(() => Company, { deleteRule: 'cascade' })
  grantee: Company;

  @Property({ type: 'string', length: ID_LENGTH, nullable: true })
  createdBy: string | null;

  @Property({ type: 'datetime' })
  createdAt: Date = new Date();

  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  constructor(
    destination: Destination,
    collaboration: Collaboration,
    grantee: Company,
    createdBy: string | null,
  ) {
    this.destination = destination;
    this.collaboration = collaboration;
    this.grantee = grantee;
    this.createdBy = createdBy;
  }
}

export enum DestinationEventType {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  DELETED = 'DELETED',
  SHARED = 'SHARED',
  SHARE_REVOKED = 'SHARE_REVOKED',
  AUTHORIZATION_REMOVED = 'AUTHORIZATION_REMOVED',
}

/** One change to a destination or its shares: who, when, what. Append-only. */
@Entity({ tableName: 'destination_events' })
export class DestinationEvent {
  @PrimaryKey({ type: 'string', length: ID_LENGTH })
  id: string = newId('dev');

  @ManyToOne(() => Destination, { deleteRule: 'cascade', index: true })
  destination: Destination;

  @Property({ type: 'string', length: 32 })
  type: DestinationEventType;

  /** The company and API key that made the change (null for the system, e.g. a forced authorization delete). */
  @Property({ type: 'string', length: ID_LENGTH, nullable: true })
  actorCompanyId: string | null;

  @Property({ type: 'string', length: ID_LENGTH, nullable: true })
  actorApiKeyId: string | null;

  /** What changed: `{ field: { from, to } }`, or the share concerned. */
  @Property({ type: 'json' })
  changes: Record<string, unknown>;

  @Property({ type: 'datetime' })
  at: Date = new Date();

  constructor(
    destination: Destination,
    type: DestinationEventType,
    actor: { companyId: string; apiKeyId: string } | null,
    changes: Record<string, unknown>,
  ) {
    this.destination = destination;
    this.type = type;
    this.actorCompanyId = actor?.companyId ?? null;
    this.actorApiKeyId = actor?.apiKeyId ?? null;
    this.changes = changes;
  }
}
